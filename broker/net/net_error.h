#pragma once

#include <cstdint>
#include <utility>
#include <variant>

#include "broker/model/assert.h"

namespace runnel::net {

// Why an outbound call (PeerClient::call) failed. Returned as a value, never thrown. Only
// `timeout` and `disconnected` leave it open whether the peer processed the request.
enum class NetError : uint8_t {
  timeout,              // No response by the call's deadline. If the request was on the wire,
                        // its connection was closed (as Kafka's NetworkClient does); the next
                        // call opens a new one.
  disconnected,         // The connection ended while the request was on the wire: the peer
                        // closed or reset it, a send failed, or another request on it timed out.
  connect_failed,       // The connection attempt failed: refused, unreachable, the name did not
                        // resolve, or no answer within Options::connect_timeout.
  closed,               // PeerClient::close() was called.
  too_many_waiting,     // Options::max_waiting calls were already queued.
  request_too_large,    // The request frame is over Options::max_request_bytes.
  bad_response,         // The response did not parse. When the framing broke (oversized frame,
                        // unknown correlation id, undecodable header) the connection was closed;
                        // a body that does not decode (typed PeerClient::call) leaves it open.
  unsupported_version,  // No request header version for this API key and version.
};

inline const char* name(NetError e) {
  switch (e) {
    case NetError::timeout: return "timeout";
    case NetError::disconnected: return "disconnected";
    case NetError::connect_failed: return "connect_failed";
    case NetError::closed: return "closed";
    case NetError::too_many_waiting: return "too_many_waiting";
    case NetError::request_too_large: return "request_too_large";
    case NetError::bad_response: return "bad_response";
    case NetError::unsupported_version: return "unsupported_version";
  }
  return "unknown";
}

// A value or the NetError that prevented it.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}    // NOLINT(google-explicit-constructor)
  Result(NetError error) : v_(error) {}        // NOLINT(google-explicit-constructor)

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }
  NetError error() const {
    RUNNEL_ASSERT(!ok(), "Result::error() on a value");
    return std::get<1>(v_);
  }
  T& value() & {
    RUNNEL_ASSERT(ok(), "Result::value() on error %s", name(std::get<1>(v_)));
    return std::get<0>(v_);
  }
  const T& value() const& {
    RUNNEL_ASSERT(ok(), "Result::value() on error %s", name(std::get<1>(v_)));
    return std::get<0>(v_);
  }
  T&& value() && {
    RUNNEL_ASSERT(ok(), "Result::value() on error %s", name(std::get<1>(v_)));
    return std::get<0>(std::move(v_));
  }

 private:
  std::variant<T, NetError> v_;
};

}  // namespace runnel::net
