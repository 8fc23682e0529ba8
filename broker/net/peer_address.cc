#include "broker/net/peer_address.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>

#include <charconv>
#include <cstring>

#include "broker/io/blocking.h"

namespace runnel::net {

std::optional<PeerAddress> PeerAddress::parse(std::string_view text) {
  const size_t colon = text.rfind(':');
  if (colon == std::string_view::npos || colon == 0) return std::nullopt;
  std::string_view host = text.substr(0, colon);
  std::string_view port = text.substr(colon + 1);
  if (host.front() == '[') {
    if (host.size() < 3 || host.back() != ']') return std::nullopt;
    host = host.substr(1, host.size() - 2);
  } else if (host.find(':') != std::string_view::npos) {
    return std::nullopt;  // an IPv6 literal needs brackets
  }
  unsigned value = 0;
  auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
  if (ec != std::errc() || end != port.data() + port.size() || value == 0 || value > 65535) return std::nullopt;
  return PeerAddress{std::string(host), static_cast<uint16_t>(value)};
}

std::string PeerAddress::to_string() const {
  const bool v6 = host.find(':') != std::string::npos;
  return (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

namespace {

// Fills `out` when `host` is an IP literal of `family`: sockaddr_in or sockaddr_in6 as `Sockaddr`,
// with its address and port members.
template <typename Sockaddr, typename Addr>
bool literal(const std::string& host, uint16_t port, int family, Addr Sockaddr::*addr, in_port_t Sockaddr::*port_of,
             SocketAddress& out) {
  Sockaddr a{};
  if (::inet_pton(family, host.c_str(), &(a.*addr)) != 1) return false;
  reinterpret_cast<sockaddr*>(&a)->sa_family = static_cast<sa_family_t>(family);
  a.*port_of = htons(port);
  std::memcpy(&out.storage, &a, sizeof(a));
  out.len = sizeof(a);
  return true;
}

}  // namespace

std::optional<SocketAddress> PeerAddress::numeric() const {
  SocketAddress out;
  if (literal(host, port, AF_INET, &sockaddr_in::sin_addr, &sockaddr_in::sin_port, out)) return out;
  if (literal(host, port, AF_INET6, &sockaddr_in6::sin6_addr, &sockaddr_in6::sin6_port, out)) return out;
  return std::nullopt;
}

io::Task<std::optional<SocketAddress>> PeerAddress::resolve(io::Ring& ring) const {
  if (auto literal = numeric()) co_return literal;
  // getaddrinfo blocks (DNS): off the ring thread. The first address is the one to use.
  auto lookup = [host = host, port = port]() -> std::optional<SocketAddress> {
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_NUMERICSERV | AI_ADDRCONFIG;
    addrinfo* found = nullptr;
    const std::string service = std::to_string(port);
    if (::getaddrinfo(host.c_str(), service.c_str(), &hints, &found) != 0 || found == nullptr) return std::nullopt;
    SocketAddress out;
    std::memcpy(&out.storage, found->ai_addr, found->ai_addrlen);
    out.len = found->ai_addrlen;
    ::freeaddrinfo(found);
    return out;
  };
  co_return co_await io::run_blocking(ring, lookup);
}

}  // namespace runnel::net
