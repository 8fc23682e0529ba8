#pragma once

#include <sys/socket.h>
#include <sys/uio.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <span>

#include "broker/io/ring.h"
#include "broker/io/task.h"

namespace runnel::net {

// A resolved socket address (IPv4 or IPv6).
struct SocketAddress {
  sockaddr_storage storage{};
  socklen_t len = 0;
  const sockaddr* get() const { return reinterpret_cast<const sockaddr*>(&storage); }
};

// One outbound byte stream, on one ring: the seam between the socket and the Kafka framing of
// PeerClient. TcpTransport is plain TCP; a TLS transport will wrap it (connect = TCP connect +
// handshake, write = encrypt then write, read = read then decrypt), and PeerClient does not change.
//
// Contract, for every implementation:
// - Every method runs on the owning ring's thread. A transport is used for one connection:
//   connect() once, then any number of reads and writes, then it is destroyed.
// - At most one read_some() and one write_all() are pending at a time (one reader, one writer).
// - abort() makes every pending operation complete soon with an error (and later ones fail at
//   once); it may be called at any time, more than once, and never blocks.
// - The destructor may run only when no operation is pending (it asserts so); it releases the
//   socket. So every SQE a transport arms completes before its memory goes.
// Results are >= 0 on success and -errno on failure, as io_uring reports them.
class Transport {
 public:
  virtual ~Transport() = default;

  // Connects to `to`; -ETIMEDOUT when not connected by `deadline`. 0 on success.
  virtual io::Task<int32_t> connect(const SocketAddress& to, io::Clock::time_point deadline) = 0;
  // Writes every byte of `iov` (which it may modify to track partial writes): 0 or -errno.
  virtual io::Task<int32_t> write_all(std::span<iovec> iov) = 0;
  // Reads at least one byte into `into`: the count, 0 at end of stream, or -errno.
  virtual io::Task<int32_t> read_some(std::span<uint8_t> into) = 0;
  virtual void abort() = 0;
};

// Makes the transport of each new connection (PeerClient::Options::transport).
using TransportFactory = std::function<std::unique_ptr<Transport>(io::Ring&)>;

}  // namespace runnel::net
