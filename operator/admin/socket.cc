#include "operator/admin/socket.h"

#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace runnel::operator_admin {
namespace {

std::string errno_text(int err) { return std::strerror(err); }

int remaining_ms(Clock::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
  return left.count() <= 0 ? 0 : static_cast<int>(left.count());
}

}  // namespace

bool split_host_port(const std::string& address, std::string& host, uint16_t& port) {
  size_t colon = address.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 >= address.size()) return false;
  host = address.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  unsigned long value = 0;
  for (size_t i = colon + 1; i < address.size(); ++i) {
    char c = address[i];
    if (c < '0' || c > '9') return false;
    value = value * 10 + static_cast<unsigned long>(c - '0');
    if (value > 65535) return false;
  }
  if (value == 0) return false;
  port = static_cast<uint16_t>(value);
  return true;
}

Socket& Socket::operator=(Socket&& other) noexcept {
  if (this != &other) {
    close();
    fd_ = other.fd_;
    peer_ = std::move(other.peer_);
    other.fd_ = -1;
  }
  return *this;
}

void Socket::close() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

Outcome<Socket> Socket::connect(const std::string& address, std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  std::string host;
  uint16_t port = 0;
  if (!split_host_port(address, host, port)) {
    return AdminError::transport("bad address '" + address + "' (want host:port)");
  }
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  // getaddrinfo has no timeout of its own; in a cluster it asks the node-local resolver, and the
  // addresses the operator is usually given are IPs, which never leave this process.
  int rc = ::getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &found);
  if (rc != 0) return AdminError::transport("resolve " + address + ": " + gai_strerror(rc));

  std::string last_error = "no addresses";
  for (addrinfo* ai = found; ai != nullptr; ai = ai->ai_next) {
    int fd = ::socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, ai->ai_protocol);
    if (fd < 0) {
      last_error = errno_text(errno);
      continue;
    }
    Socket s(fd, address);
    if (::connect(fd, ai->ai_addr, ai->ai_addrlen) != 0 && errno != EINPROGRESS) {
      last_error = errno_text(errno);
      continue;
    }
    Status ready = s.wait(POLLOUT, deadline, "connect");
    if (!ready.ok()) {
      last_error = ready.error().message;
      continue;
    }
    int err = 0;
    socklen_t len = sizeof(err);
    ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
    if (err != 0) {
      last_error = errno_text(err);
      continue;
    }
    int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    ::freeaddrinfo(found);
    return s;
  }
  ::freeaddrinfo(found);
  return AdminError::transport("connect " + address + ": " + last_error);
}

Status Socket::wait(short events, Clock::time_point deadline, const char* what) {
  for (;;) {
    pollfd p{fd_, events, 0};
    int rc = ::poll(&p, 1, remaining_ms(deadline));
    if (rc > 0) return Done{};
    if (rc == 0) return AdminError::transport(std::string(what) + " " + peer_ + ": timed out");
    if (errno != EINTR) return AdminError::transport(std::string(what) + " " + peer_ + ": " + errno_text(errno));
  }
}

Status Socket::write_all(const uint8_t* data, size_t size, Clock::time_point deadline) {
  if (fd_ < 0) return AdminError::transport("write: not connected");
  while (size > 0) {
    ssize_t n = ::send(fd_, data, size, MSG_NOSIGNAL);
    if (n > 0) {
      data += n;
      size -= static_cast<size_t>(n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      Status ready = wait(POLLOUT, deadline, "write");
      if (!ready.ok()) return ready;
      continue;
    }
    return AdminError::transport("write " + peer_ + ": " + errno_text(errno));
  }
  return Done{};
}

Status Socket::read_exact(uint8_t* data, size_t size, Clock::time_point deadline) {
  if (fd_ < 0) return AdminError::transport("read: not connected");
  while (size > 0) {
    ssize_t n = ::recv(fd_, data, size, 0);
    if (n > 0) {
      data += n;
      size -= static_cast<size_t>(n);
      continue;
    }
    if (n == 0) return AdminError::transport("read " + peer_ + ": connection closed by the broker");
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) {
      Status ready = wait(POLLIN, deadline, "read");
      if (!ready.ok()) return ready;
      continue;
    }
    return AdminError::transport("read " + peer_ + ": " + errno_text(errno));
  }
  return Done{};
}

}  // namespace runnel::operator_admin
