#include "broker/net/connection.h"

#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "broker/log/log.h"
#include "broker/metrics/clock.h"
#include "broker/model/assert.h"

namespace runnel::net {

namespace {
constexpr size_t kMaxIovecs = 64;
}

Connection::Connection(io::Ring& ring, io::BufferRing& buffers, FrameSink& sink, int fd, uint64_t id, Limits limits,
                       std::string peer)
    : ring_(ring), buffers_(buffers), sink_(sink), fd_(fd), id_(id), limits_(limits), peer_(std::move(peer)) {}

Connection::~Connection() {
  RUNNEL_ASSERT(finished(), "connection %llu destroyed in use: closed %d, recv armed %d, send in flight %d, %u requests",
                static_cast<unsigned long long>(id_), int(closed_), int(recv_armed_), int(send_in_flight_), in_flight_);
  ::close(fd_);  // the fd is only closed when no SQE can still name it
}

io::Task<void> Connection::run() {
  arm_recv();
  while (!finished()) co_await done_.wait();
}

void Connection::maybe_finished() {
  if (finished()) done_.wake();
}

void Connection::arm_recv() {
  if (closed_ || closing_ || recv_armed_) return;
  io_uring_sqe* sqe = ring_.sqe();
  io_uring_prep_recv_multishot(sqe, fd_, nullptr, 0, 0);
  sqe->flags |= IOSQE_BUFFER_SELECT;
  sqe->buf_group = buffers_.group_id();
  io_uring_sqe_set_data(sqe, &recv_);
  recv_armed_ = true;
}

void Connection::on_recv(int32_t res, uint32_t flags) {
  bool more = (flags & IORING_CQE_F_MORE) != 0;
  if (res > 0) {
    RUNNEL_ASSERT(flags & IORING_CQE_F_BUFFER, "recv completion without a buffer");
    uint16_t bid = static_cast<uint16_t>(flags >> IORING_CQE_BUFFER_SHIFT);
    auto buf = buffers_.buffer(bid, static_cast<size_t>(res));
    bool ok = closed_ || closing_ || consume(buf.data(), buf.size());
    buffers_.recycle(bid);
    if (!ok) close(CloseReason::malformed_frame);
  }
  if (!more) {
    recv_armed_ = false;
    if (res == 0) {
      close(CloseReason::peer_closed);
    } else if (res < 0 && res != -ENOBUFS && res != -ECANCELED) {
      close(CloseReason::recv_failed);
    } else if (!paused_) {
      // The kernel ends multishot recv when it runs out of provided buffers (-ENOBUFS) and
      // sometimes after a plain completion; either way the connection is healthy: re-arm.
      arm_recv();
    }
    maybe_finished();
  }
}

void Connection::pause_if_backlogged() {
  // Backpressure: a client pipelining faster than we answer stops being read (its socket
  // buffer fills and TCP slows it down) instead of growing our queue without bound.
  // Bytes count as well as frames: 64 waiting 1 MB produce requests would be 64 MB of memory.
  if (paused_ || !recv_armed_ ||
      (waiting_frames_.size() < kMaxWaitingFrames && waiting_bytes_ < kMaxWaitingBytes)) {
    return;
  }
  paused_ = true;
  cancel_recv();
}

bool Connection::consume(const uint8_t* data, size_t len) {
  while (len > 0) {
    if (size_have_ < 4) {
      size_t n = std::min<size_t>(4 - size_have_, len);
      std::memcpy(size_buf_ + size_have_, data, n);
      size_have_ += static_cast<uint32_t>(n);
      data += n;
      len -= n;
      if (size_have_ < 4) return true;
      int32_t size = static_cast<int32_t>((uint32_t{size_buf_[0]} << 24) | (uint32_t{size_buf_[1]} << 16) |
                                          (uint32_t{size_buf_[2]} << 8) | uint32_t{size_buf_[3]});
      // Kafka closes the connection on a negative size or one over socket.request.max.bytes
      // (InvalidReceiveException) without answering.
      if (size < 0 || size > limits_.max_request_bytes) return false;
      // reserve + insert rather than a sized vector: no zero-fill of bytes about to be copied.
      frame_.clear();
      frame_.reserve(static_cast<size_t>(size));
      frame_want_ = static_cast<size_t>(size);
    }
    size_t n = std::min(frame_want_ - frame_.size(), len);
    frame_.insert(frame_.end(), data, data + n);
    data += n;
    len -= n;
    if (frame_.size() == frame_want_) {
      waiting_bytes_ += frame_.size();
      waiting_frames_.push_back(Waiting{std::move(frame_), metrics::mono_ns()});
      frame_ = {};
      frame_want_ = 0;
      size_have_ = 0;
    }
  }
  deliver_pending_frames();
  pause_if_backlogged();
  return true;
}

void Connection::deliver_pending_frames() {
  while (!closed_ && !closing_ && !waiting_frames_.empty() && in_flight_ < limits_.max_in_flight &&
         (in_flight_ == 0 || in_flight_bytes_ + waiting_frames_.front().frame.size() <= kMaxInFlightBytes)) {
    std::vector<uint8_t> frame = std::move(waiting_frames_.front().frame);
    const int64_t received_ns = waiting_frames_.front().received_ns;
    waiting_frames_.pop_front();
    waiting_bytes_ -= frame.size();
    uint64_t seq = next_seq_++;
    Slot& slot = out_.emplace_back();
    slot.received_ns = received_ns;
    slot.request_bytes = frame.size();
    in_flight_bytes_ += frame.size();
    ++in_flight_;
    sink_.on_frame(*this, seq, std::move(frame));
  }
  if (paused_ && !closed_ && waiting_frames_.size() <= kMaxWaitingFrames / 2 &&
      waiting_bytes_ <= kMaxWaitingBytes / 2) {
    paused_ = false;
    arm_recv();  // a no-op while the cancelled recv has not ended yet; on_recv re-arms then
  }
}

void Connection::respond(uint64_t seq, std::vector<uint8_t> bytes, int16_t tag,
                         std::vector<protocol::ExternalBytes> external, std::vector<ByteBuffer> keep) {
  RUNNEL_ASSERT(seq >= out_base_ && seq < out_base_ + out_.size(), "response for unknown request %llu",
                static_cast<unsigned long long>(seq));
  Slot& slot = out_[seq - out_base_];
  RUNNEL_ASSERT(!slot.ready, "two responses for request %llu", static_cast<unsigned long long>(seq));
  slot.ready = true;
  slot.wire_bytes = bytes.size();
  for (size_t i = 0; i < external.size(); ++i) {
    RUNNEL_ASSERT(external[i].at <= bytes.size() && (i == 0 || external[i - 1].at <= external[i].at),
                  "external bytes %zu at %zu out of order", i, external[i].at);
    slot.wire_bytes += external[i].size;
  }
  slot.bytes = std::move(bytes);
  slot.external = std::move(external);
  slot.keep = std::move(keep);
  if (tag >= 0) {
    slot.tag = tag;
    slot.ready_ns = metrics::mono_ns();
  }
  --in_flight_;
  in_flight_bytes_ -= slot.request_bytes;
  if (!closed_) {
    flush_sends();
    deliver_pending_frames();
    close_if_sent();
  }
  maybe_finished();
}

void Connection::flush_sends() {
  if (send_in_flight_ || closed_) return;
  // Drop leading slots that need nothing sent (acks=0 produce).
  while (!out_.empty() && out_.front().ready && out_.front().wire_bytes == 0) {
    out_.pop_front();
    ++out_base_;
  }
  // One iovec per piece (response bytes between external parts, external parts), from where
  // out_[0] stands, over as many ready responses as fit.
  iov_.clear();
  bool full = false;
  for (size_t i = 0; i < out_.size() && out_[i].ready && !full; ++i) {
    const Slot& slot = out_[i];
    const size_t from = i == 0 ? sent_in_first_ : 0;  // wire position within this response
    size_t wire = 0;
    auto add = [&](const uint8_t* p, size_t n) {
      if (full) return;
      if (n > 0 && from < wire + n) {
        const size_t skip = from > wire ? from - wire : 0;
        iov_.push_back({const_cast<uint8_t*>(p) + skip, n - skip});
        full = iov_.size() == kMaxIovecs;
      }
      wire += n;
    };
    size_t at = 0;
    for (const protocol::ExternalBytes& e : slot.external) {
      add(slot.bytes.data() + at, e.at - at);
      at = e.at;
      add(e.data, e.size);
    }
    add(slot.bytes.data() + at, slot.bytes.size() - at);
  }
  if (iov_.empty()) return;
  msg_ = {};
  msg_.msg_iov = iov_.data();
  msg_.msg_iovlen = iov_.size();
  io_uring_sqe* sqe = ring_.sqe();
  io_uring_prep_sendmsg(sqe, fd_, &msg_, MSG_NOSIGNAL);
  io_uring_sqe_set_data(sqe, &send_);
  send_in_flight_ = true;
}

void Connection::advance(size_t n) {
  int64_t sent_ns = 0;  // read the clock once per completion, and only if someone listens
  while (n > 0) {
    RUNNEL_ASSERT(!out_.empty() && out_.front().ready, "sent bytes beyond the ready responses");
    const size_t remaining = out_.front().wire_bytes - sent_in_first_;
    if (n < remaining) {  // a partial send leaves the rest of out_[0] for next time
      sent_in_first_ += n;
      return;
    }
    n -= remaining;
    sent_in_first_ = 0;
    if (const Slot& done = out_.front(); done.tag >= 0) {
      if (sent_ns == 0) sent_ns = metrics::mono_ns();
      sink_.on_response_sent(done.tag, done.received_ns, done.ready_ns, sent_ns);
    }
    out_.pop_front();
    ++out_base_;
  }
}

void Connection::on_sent(int32_t res, uint32_t) {
  send_in_flight_ = false;
  if (res < 0) {
    close(CloseReason::send_failed);
  } else if (!closed_) {
    advance(static_cast<size_t>(res));
    flush_sends();
    close_if_sent();
  }
  maybe_finished();
}

void Connection::close_when_sent(CloseReason reason) {
  if (closed_ || closing_) return;
  closing_ = true;
  closing_reason_ = reason;
  waiting_frames_.clear();
  waiting_bytes_ = 0;
  if (recv_armed_) cancel_recv();
  flush_sends();
  close_if_sent();
}

void Connection::close_if_sent() {
  if (closing_ && !closed_ && !send_in_flight_ && out_.empty()) close(closing_reason_);
}

void Connection::cancel_recv() {
  io_uring_sqe* sqe = ring_.sqe();
  io_uring_prep_cancel(sqe, &recv_, 0);
  io_uring_sqe_set_data64(sqe, io::kIgnoreCqe);
  sqe->flags |= IOSQE_CQE_SKIP_SUCCESS;
}

void Connection::close(CloseReason reason) {
  if (closed_) return;
  closed_ = true;
  close_reason_ = reason;
  if (reason == CloseReason::peer_closed || reason == CloseReason::shutdown) {
    RUNNEL_LOG(debug, "connection %llu from %s closed: %s", static_cast<unsigned long long>(id_), peer_.c_str(),
               close_reason_name(reason));
  } else {
    RUNNEL_LOG_LIMITED(info, "connection %llu from %s closed: %s", static_cast<unsigned long long>(id_),
                       peer_.c_str(), close_reason_name(reason));
  }
  waiting_frames_.clear();
  // shutdown() rather than close(): armed SQEs still name the fd, and it must not be reused
  // for a new connection before they complete. The destructor closes it.
  ::shutdown(fd_, SHUT_RDWR);
  if (recv_armed_) cancel_recv();
  sink_.on_closed(*this);
  maybe_finished();
}

}  // namespace runnel::net
