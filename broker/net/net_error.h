#pragma once

#include <cstdint>

#include "broker/model/result.h"

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
using Result = runnel::Result<T, NetError>;

}  // namespace runnel::net
