#pragma once

#include <sys/uio.h>

#include <cstdint>
#include <deque>
#include <string>
#include <vector>

#include "broker/io/buffer_ring.h"
#include "broker/io/completion.h"
#include "broker/io/ring.h"
#include "broker/io/task.h"
#include "broker/io/wakeup.h"
#include "broker/net/close_reason.h"
#include "broker/model/byte_buffer.h"
#include "broker/protocol/types.h"

namespace runnel::net {

class Connection;

// What a connection hands complete request frames to. Implemented by the server's dispatcher.
class FrameSink {
 public:
  // `frame` is one request without its 4-byte size prefix. The sink must eventually call
  // conn.respond(seq, ...) exactly once for it (with an empty buffer when there is no response,
  // e.g. acks=0), or conn.close().
  virtual void on_frame(Connection& conn, uint64_t seq, std::vector<uint8_t> frame) = 0;
  virtual void on_closed(Connection& conn) = 0;
  // A response given to respond() with a tag >= 0 was written to the socket completely.
  // Times are metrics::mono_ns(): request frame complete, respond() called, send completed.
  virtual void on_response_sent(int16_t /*tag*/, int64_t /*received_ns*/, int64_t /*ready_ns*/,
                                int64_t /*sent_ns*/) {}

 protected:
  ~FrameSink() = default;
};

// One client TCP connection, owned by the ring thread that accepted it.
//
// Receiving: one multishot recv with provided buffers stays armed; bytes are copied out of the
// kernel-chosen buffer into the frame being assembled and the buffer is recycled at once, so a
// slow consumer of frames never starves the ring of receive buffers.
//
// Ordering: requests may complete out of order (they fan out to other cores), but Kafka clients
// require responses in request order. Every frame gets a sequence number; responses wait in
// `out_` until all earlier ones are sent, and ready ones leave together in one sendmsg. A
// response may leave large parts (Fetch records) in buffers of their own, which the sendmsg's
// iovecs point at: they are never copied into the response.
//
// Lifetime: one owner holds the object (the shard: a unique_ptr in the frame of the coroutine
// that awaits run(), a child of the shard's connection TaskGroup). run() returns only once the
// connection is closed and nothing refers to it any more: no armed recv, no send in flight, no
// request handed to the sink and not yet answered. The owner then destroys it; the destructor
// asserts all of that. So a request may use `Connection&` until it calls respond().
class Connection {
 public:
  struct Limits {
    int32_t max_request_bytes = 100 * 1024 * 1024;  // socket.request.max.bytes
    uint32_t max_in_flight = 64;                     // requests being processed at once
  };

  Connection(io::Ring& ring, io::BufferRing& buffers, FrameSink& sink, int fd, uint64_t id, Limits limits,
             std::string peer);
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;
  ~Connection();

  // Starts receiving; completes once the connection is closed and idle (see Lifetime above).
  io::Task<void> run();
  // Queues the response for request `seq` (`bytes` includes the size prefix; empty: no response).
  // A `tag` >= 0 (the API key) asks for FrameSink::on_response_sent once it is on the wire.
  // `external` (ascending `at`) are bytes to send between those of `bytes`, kept alive by `keep`
  // until the response is on the wire; the size prefix counts them.
  void respond(uint64_t seq, std::vector<uint8_t> bytes, int16_t tag = -1,
               std::vector<protocol::ExternalBytes> external = {}, std::vector<ByteBuffer> keep = {});
  // When request `seq` (not yet answered) was completely received, in metrics::mono_ns().
  int64_t received_ns(uint64_t seq) const { return out_[seq - out_base_].received_ns; }
  // Closes the socket now; in-flight requests still complete, their responses are dropped. The
  // reason is logged and kept for the sink (FrameSink::on_closed reads close_reason()).
  void close(CloseReason reason);
  // A graceful close (broker shutdown): stops reading now, and close()s once every response
  // already queued is on the wire. The owner bounds the wait by calling close() itself.
  void close_when_sent(CloseReason reason);
  CloseReason close_reason() const { return close_reason_; }

  uint64_t id() const { return id_; }
  int fd() const { return fd_; }
  bool closed() const { return closed_; }
  const std::string& peer() const { return peer_; }
  // Which of its listeners accepted this connection, in the owner's numbering (the broker tells
  // controller listeners from the others with it); 0 until set.
  void set_listener(uint8_t listener) { listener_ = listener; }
  uint8_t listener() const { return listener_; }

 private:
  struct Recv final : io::Completion {
    Connection* self;
    explicit Recv(Connection* c) : self(c) {}
    void complete(int32_t res, uint32_t flags) override { self->on_recv(res, flags); }
  };
  struct Send final : io::Completion {
    Connection* self;
    explicit Send(Connection* c) : self(c) {}
    void complete(int32_t res, uint32_t flags) override { self->on_sent(res, flags); }
  };

  // Closed, and no SQE or request still refers to this object.
  bool finished() const { return closed_ && !recv_armed_ && !send_in_flight_ && in_flight_ == 0; }
  // Called wherever one of those references ends: resumes run() (posted) once finished.
  void maybe_finished();
  // close_when_sent() asked for it and nothing is left to send.
  void close_if_sent();
  void arm_recv();
  // Ends the armed multishot recv (its final CQE still comes, with -ECANCELED).
  void cancel_recv();
  void on_recv(int32_t res, uint32_t flags);
  // Feeds received bytes into frame assembly; false if the peer broke the framing.
  bool consume(const uint8_t* data, size_t len);
  void deliver_pending_frames();
  void pause_if_backlogged();
  void on_sent(int32_t res, uint32_t flags);
  void flush_sends();
  // Retires `n` more bytes of the responses being sent (out_[0] first).
  void advance(size_t n);

  io::Ring& ring_;
  io::BufferRing& buffers_;
  FrameSink& sink_;
  int fd_;
  uint64_t id_;
  Limits limits_;
  std::string peer_;
  uint8_t listener_ = 0;
  Recv recv_{this};
  Send send_{this};
  io::Wakeup done_{ring_};  // run() waits on it for finished()
  bool closed_ = false;
  bool closing_ = false;  // close_when_sent(): no more reading, close once sent
  CloseReason closing_reason_ = CloseReason::shutdown;
  CloseReason close_reason_ = CloseReason::peer_closed;
  bool recv_armed_ = false;
  bool paused_ = false;  // recv cancelled for backpressure (too many frames waiting)
  static constexpr size_t kMaxWaitingFrames = 64;
  // Memory bounds per connection (Kafka reads one request per connection at a time; we
  // pipeline, up to these). A single frame larger than a bound is still processed alone.
  static constexpr size_t kMaxWaitingBytes = 2u << 20;
  static constexpr size_t kMaxInFlightBytes = 4u << 20;
  size_t waiting_bytes_ = 0;
  size_t in_flight_bytes_ = 0;

  // Frame assembly.
  uint8_t size_buf_[4];
  uint32_t size_have_ = 0;
  std::vector<uint8_t> frame_;
  size_t frame_want_ = 0;  // size of the frame being assembled
  struct Waiting {
    std::vector<uint8_t> frame;
    int64_t received_ns;
  };
  std::deque<Waiting> waiting_frames_;  // parsed but over max_in_flight

  // Response ordering: out_[i] is the response to request `out_base_ + i`.
  struct Slot {
    bool ready = false;
    int16_t tag = -1;
    int64_t received_ns = 0;
    int64_t ready_ns = 0;
    size_t request_bytes = 0;
    size_t wire_bytes = 0;  // bytes plus external
    std::vector<uint8_t> bytes;
    std::vector<protocol::ExternalBytes> external;
    std::vector<ByteBuffer> keep;
  };
  uint64_t next_seq_ = 0;
  uint64_t out_base_ = 0;
  std::deque<Slot> out_;
  uint32_t in_flight_ = 0;

  // Send in progress: iovecs over a prefix of the ready responses.
  bool send_in_flight_ = false;
  size_t sent_in_first_ = 0;  // bytes of out_[0] already on the wire (external ones included)
  std::vector<iovec> iov_;
  msghdr msg_{};
};

}  // namespace runnel::net
