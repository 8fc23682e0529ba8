#include "broker/net/acceptor.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <vector>

namespace runnel::net {

namespace {

std::string peer_name(const sockaddr_storage& ss) {
  char host[INET6_ADDRSTRLEN] = "?";
  int port = 0;
  if (ss.ss_family == AF_INET) {
    auto* a = reinterpret_cast<const sockaddr_in*>(&ss);
    inet_ntop(AF_INET, &a->sin_addr, host, sizeof(host));
    port = ntohs(a->sin_port);
  } else if (ss.ss_family == AF_INET6) {
    auto* a = reinterpret_cast<const sockaddr_in6*>(&ss);
    inet_ntop(AF_INET6, &a->sin6_addr, host, sizeof(host));
    port = ntohs(a->sin6_port);
  }
  return std::string(host) + ":" + std::to_string(port);
}

}  // namespace

Acceptor::~Acceptor() {
  if (fd_ >= 0) ::close(fd_);
}

namespace {

// A socket bound to host:port with SO_REUSEPORT (shared with the other cores' sockets), or the
// reason there is none.
Result<int, std::string> bind_socket(const std::string& host, int port) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  addrinfo* res = nullptr;
  std::string port_s = std::to_string(port);
  int rc = getaddrinfo(host.empty() ? nullptr : host.c_str(), port_s.c_str(), &hints, &res);
  if (rc != 0) return Unexpected("cannot resolve listener host '" + host + "': " + gai_strerror(rc));
  // With no host, prefer the IPv6 wildcard (dual-stack) like Kafka's 0.0.0.0/:: binding.
  addrinfo* pick = res;
  for (addrinfo* ai = res; ai != nullptr; ai = ai->ai_next) {
    if (host.empty() && ai->ai_family == AF_INET6) pick = ai;
  }
  int fd = ::socket(pick->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    freeaddrinfo(res);
    return Unexpected(std::string("socket: ") + std::strerror(errno));
  }
  int one = 1, zero = 0;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one));
  if (pick->ai_family == AF_INET6) setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero));
  if (::bind(fd, pick->ai_addr, pick->ai_addrlen) != 0) {
    std::string err =
        "bind " + (host.empty() ? std::string("*") : host) + ":" + port_s + ": " + std::strerror(errno);
    ::close(fd);
    freeaddrinfo(res);
    return Unexpected(std::move(err));
  }
  freeaddrinfo(res);
  return fd;
}

}  // namespace

namespace {

// The address a listener on `host` binds: 4 or 16 bytes, all zero for a wildcard.
bool listen_address(const std::string& host, int port, std::vector<uint8_t>& addr) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  addrinfo* res = nullptr;
  if (getaddrinfo(host.empty() ? nullptr : host.c_str(), std::to_string(port).c_str(), &hints, &res) != 0) return false;
  addrinfo* pick = res;
  for (addrinfo* ai = res; ai != nullptr; ai = ai->ai_next) {
    if (host.empty() && ai->ai_family == AF_INET6) pick = ai;
  }
  if (pick->ai_family == AF_INET6) {
    const auto* a = reinterpret_cast<const sockaddr_in6*>(pick->ai_addr)->sin6_addr.s6_addr;
    addr.assign(a, a + 16);
  } else {
    const auto* a = reinterpret_cast<const uint8_t*>(&reinterpret_cast<const sockaddr_in*>(pick->ai_addr)->sin_addr);
    addr.assign(a, a + 4);
  }
  freeaddrinfo(res);
  return true;
}

// Listening sockets of this network namespace on `port`, from /proc/net/tcp and tcp6: their
// local addresses in network byte order. Those tables print each 32-bit word of the address as
// the host-order value of its bytes, so on little-endian machines every word reads reversed.
std::vector<std::vector<uint8_t>> listeners_on(int port) {
  std::vector<std::vector<uint8_t>> out;
  for (const char* path : {"/proc/net/tcp", "/proc/net/tcp6"}) {
    FILE* f = std::fopen(path, "re");
    if (f == nullptr) continue;
    char line[512];
    if (std::fgets(line, sizeof line, f) == nullptr) {  // header
      std::fclose(f);
      continue;
    }
    while (std::fgets(line, sizeof line, f) != nullptr) {
      char local[64] = {}, remote[64] = {}, state[8] = {};
      if (std::sscanf(line, " %*[^:]: %63s %63s %7s", local, remote, state) != 3) continue;
      if (std::strcmp(state, "0A") != 0) continue;  // TCP_LISTEN
      const char* colon = std::strchr(local, ':');
      if (colon == nullptr || std::strtol(colon + 1, nullptr, 16) != port) continue;
      const size_t hex = size_t(colon - local);
      if (hex != 8 && hex != 32) continue;
      std::vector<uint8_t> addr;
      for (size_t w = 0; w < hex / 8; ++w) {
        uint32_t v = uint32_t(std::strtoul(std::string(local + w * 8, 8).c_str(), nullptr, 16));
        for (int b = 0; b < 4; ++b) addr.push_back(uint8_t(v >> (8 * b)));  // host order, little-endian
      }
      out.push_back(std::move(addr));
    }
    std::fclose(f);
  }
  return out;
}

bool all_zero(const std::vector<uint8_t>& a) {
  for (uint8_t b : a) {
    if (b != 0) return false;
  }
  return true;
}

}  // namespace

Result<void, std::string> Acceptor::check_free(const std::string& host, int port) {
  if (port == 0) return {};
  std::vector<uint8_t> mine;
  if (!listen_address(host, port, mine)) return {};  // listen() reports the resolution error
  for (const std::vector<uint8_t>& theirs : listeners_on(port)) {
    // Only LISTEN sockets count: connections that linger in TIME_WAIT on the port after a
    // restart do not stop Kafka from binding it either.
    if (all_zero(mine) || all_zero(theirs) || theirs == mine) {
      return Unexpected("bind " + (host.empty() ? std::string("*") : host) + ":" + std::to_string(port) +
                        ": Address already in use (another process listens on it)");
    }
  }
  return {};
}

Result<void, std::string> Acceptor::listen(const std::string& host, int port, int backlog) {
  Result<int, std::string> bound = bind_socket(host, port);
  if (!bound) return Unexpected(std::move(bound).error());
  const int fd = *bound;
  if (::listen(fd, backlog) != 0) {
    std::string err = std::string("listen: ") + std::strerror(errno);
    ::close(fd);
    return Unexpected(std::move(err));
  }
  sockaddr_storage ss{};
  socklen_t len = sizeof(ss);
  getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &len);
  port_ = ss.ss_family == AF_INET6 ? ntohs(reinterpret_cast<sockaddr_in6*>(&ss)->sin6_port)
                                   : ntohs(reinterpret_cast<sockaddr_in*>(&ss)->sin_port);
  fd_ = fd;
  return {};
}

void Acceptor::start() { arm(); }

void Acceptor::arm() {
  if (stopped_ || armed_) return;
  io_uring_sqe* sqe = ring_.sqe();
  io_uring_prep_multishot_accept(sqe, fd_, nullptr, nullptr, SOCK_CLOEXEC);
  io_uring_sqe_set_data(sqe, this);
  armed_ = true;
}

void Acceptor::complete(int32_t res, uint32_t flags) {
  if ((flags & IORING_CQE_F_MORE) == 0) armed_ = false;
  if (res >= 0) {
    if (stopped_) {
      ::close(res);
    } else {
      int one = 1;
      setsockopt(res, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
      sockaddr_storage ss{};
      socklen_t len = sizeof(ss);
      getpeername(res, reinterpret_cast<sockaddr*>(&ss), &len);
      on_accept_(res, peer_name(ss));
    }
  }
  // Transient failures (EMFILE, ECONNABORTED) end the multishot; keep accepting.
  if (!armed_ && !stopped_) arm();
}

void Acceptor::stop() {
  if (stopped_) return;
  stopped_ = true;
  if (fd_ >= 0) {
    // shutdown() wakes the armed accept with an error; the fd is closed in the destructor,
    // after its last CQE, so the number cannot be reused under a pending SQE.
    ::shutdown(fd_, SHUT_RDWR);
  }
}

}  // namespace runnel::net
