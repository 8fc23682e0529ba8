#pragma once
// A blocking TCP connection with deadlines, for the admin client. The operator does not run on an
// io_uring ring, so plain POSIX sockets are fine; what matters is that no call can hang: connect,
// write and read each wait with poll() until a deadline, then fail as a transport error.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>

#include "operator/admin/admin_error.h"

namespace runnel::operator_admin {

using Clock = std::chrono::steady_clock;

// Splits "host:port" or "[v6addr]:port". False when there is no valid port.
bool split_host_port(const std::string& address, std::string& host, uint16_t& port);

class Socket {
 public:
  Socket() = default;
  Socket(Socket&& other) noexcept : fd_(other.fd_), peer_(std::move(other.peer_)) { other.fd_ = -1; }
  Socket& operator=(Socket&& other) noexcept;
  Socket(const Socket&) = delete;
  Socket& operator=(const Socket&) = delete;
  ~Socket() { close(); }

  // Resolves `address` and tries each of its IPs until one accepts before `timeout` ends.
  static Outcome<Socket> connect(const std::string& address, std::chrono::milliseconds timeout);

  Status write_all(const uint8_t* data, size_t size, Clock::time_point deadline);
  Status read_exact(uint8_t* data, size_t size, Clock::time_point deadline);

  bool is_open() const { return fd_ >= 0; }
  const std::string& peer() const { return peer_; }
  void close();

 private:
  Socket(int fd, std::string peer) : fd_(fd), peer_(std::move(peer)) {}
  // Waits until the socket is ready for `events` (POLLIN/POLLOUT) or the deadline passes.
  Status wait(short events, Clock::time_point deadline, const char* what);

  int fd_ = -1;
  std::string peer_;
};

}  // namespace runnel::operator_admin
