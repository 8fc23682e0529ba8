#pragma once

#include <cstddef>
#include <cstdint>

namespace runnel::net {

// Why a client connection was closed: logged and counted (runnel_connections_closed_total's
// `reason` label), so an operator can tell clients leaving from clients being thrown out.
enum class CloseReason : uint8_t {
  peer_closed,      // the client closed or reset the connection
  malformed_frame,  // a size prefix out of range (negative or > socket.request.max.bytes)
  bad_request,      // a request Kafka answers by closing: undecodable, or acks=0 with an error
  recv_failed,      // the socket failed while receiving
  send_failed,      // the socket failed while sending
  shutdown,         // the broker is stopping
};
inline constexpr size_t kCloseReasons = 6;

inline const char* close_reason_name(CloseReason r) {
  static constexpr const char* kNames[kCloseReasons] = {"peer_closed", "malformed_frame", "bad_request",
                                                        "recv_failed", "send_failed",     "shutdown"};
  return kNames[static_cast<size_t>(r)];
}

}  // namespace runnel::net
