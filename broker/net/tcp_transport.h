#pragma once

#include "broker/net/transport.h"

namespace runnel::net {

// Plain TCP on io_uring: a non-blocking socket with TCP_NODELAY, IORING_OP_CONNECT linked to an
// IORING_OP_LINK_TIMEOUT (the kernel cancels the connect at the deadline; both CQEs are awaited
// before connect() returns), sendmsg for writes and a single-shot recv for reads.
//
// A single-shot recv into the caller's buffer, not the multishot recv with provided buffers of
// net::Connection: a shard has a handful of outbound connections, and reading straight into the
// buffer of the response being assembled saves a copy of large (replica fetch) responses.
//
// abort() shuts a connected socket down and cancels every operation on its fd
// (IORING_ASYNC_CANCEL_FD); the cancel is what stops a connect in progress. The fd is closed by the destructor, when no SQE can still name it.
class TcpTransport final : public Transport {
 public:
  explicit TcpTransport(io::Ring& ring) : ring_(ring) {}
  ~TcpTransport() override;
  TcpTransport(const TcpTransport&) = delete;
  TcpTransport& operator=(const TcpTransport&) = delete;

  io::Task<int32_t> connect(const SocketAddress& to, io::Clock::time_point deadline) override;
  io::Task<int32_t> write_all(std::span<iovec> iov) override;
  io::Task<int32_t> read_some(std::span<uint8_t> into) override;
  void abort() override;

  static TransportFactory factory();

 private:
  io::Ring& ring_;
  int fd_ = -1;
  int pending_ = 0;  // operations armed and not yet completed
  bool aborted_ = false;
  bool connected_ = false;
};

}  // namespace runnel::net
