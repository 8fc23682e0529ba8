#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "broker/io/ring.h"
#include "broker/io/task.h"
#include "broker/net/transport.h"

namespace runnel::net {

// Where a peer listens: a host name or IP literal and a port, as written in configuration
// ("broker-1.kafka:9092", "10.0.0.7:9093", "[::1]:9092").
struct PeerAddress {
  std::string host;
  uint16_t port = 0;

  // nullopt unless `text` is host:port with a port in 1..65535 (IPv6 literals in brackets).
  static std::optional<PeerAddress> parse(std::string_view text);
  std::string to_string() const;

  // The socket address to connect to. An IP literal is converted on the spot; a name is looked
  // up with getaddrinfo on a helper thread (io::run_blocking) every time, so a peer whose
  // address changes (a rescheduled pod) is found again. nullopt when the name does not resolve.
  io::Task<std::optional<SocketAddress>> resolve(io::Ring& ring) const;
  std::optional<SocketAddress> numeric() const;
};

}  // namespace runnel::net
