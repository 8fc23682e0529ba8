#include "broker/net/acceptor.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

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

// A socket bound to host:port, or -1 and the reason. `reuseport`: shares the port with the
// other cores' sockets (and with any process of the same user that also asks for it).
int bind_socket(const std::string& host, int port, bool reuseport, std::string& err, int* bind_errno = nullptr) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  addrinfo* res = nullptr;
  std::string port_s = std::to_string(port);
  int rc = getaddrinfo(host.empty() ? nullptr : host.c_str(), port_s.c_str(), &hints, &res);
  if (rc != 0) {
    err = "cannot resolve listener host '" + host + "': " + gai_strerror(rc);
    return -1;
  }
  // With no host, prefer the IPv6 wildcard (dual-stack) like Kafka's 0.0.0.0/:: binding.
  addrinfo* pick = res;
  for (addrinfo* ai = res; ai != nullptr; ai = ai->ai_next) {
    if (host.empty() && ai->ai_family == AF_INET6) pick = ai;
  }
  int fd = ::socket(pick->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    freeaddrinfo(res);
    err = std::string("socket: ") + std::strerror(errno);
    return -1;
  }
  int one = 1, zero = 0;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  if (reuseport) setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one));
  if (pick->ai_family == AF_INET6) setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero));
  if (::bind(fd, pick->ai_addr, pick->ai_addrlen) != 0) {
    if (bind_errno != nullptr) *bind_errno = errno;
    err = "bind " + (host.empty() ? std::string("*") : host) + ":" + port_s + ": " + std::strerror(errno);
    ::close(fd);
    freeaddrinfo(res);
    return -1;
  }
  freeaddrinfo(res);
  return fd;
}

}  // namespace

std::string Acceptor::check_free(const std::string& host, int port, bool* in_use) {
  if (in_use != nullptr) *in_use = false;
  if (port == 0) return {};
  std::string err;
  int bind_errno = 0;
  int fd = bind_socket(host, port, false, err, &bind_errno);
  if (fd >= 0) ::close(fd);
  if (in_use != nullptr) *in_use = bind_errno == EADDRINUSE;
  return err;
}

std::string Acceptor::listen(const std::string& host, int port, int backlog) {
  std::string err;
  int fd = bind_socket(host, port, true, err);
  if (fd < 0) return err;
  if (::listen(fd, backlog) != 0) {
    std::string err = std::string("listen: ") + std::strerror(errno);
    ::close(fd);
    return err;
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
