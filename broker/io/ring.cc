#include "broker/io/ring.h"

#include <fcntl.h>

#include <cerrno>
#include <cstring>

#include "broker/model/assert.h"

namespace runnel::io {

namespace {
thread_local Ring* tls_ring = nullptr;
constexpr unsigned kCqeBatch = 256;
}  // namespace

Ring::Ring(Options options) {
  io_uring_params params{};
  params.flags = IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_SUBMIT_ALL | IORING_SETUP_COOP_TASKRUN;
  if (options.defer_taskrun) params.flags |= IORING_SETUP_DEFER_TASKRUN;
  // A CQ four times the SQ absorbs bursts of multishot completions without overflowing.
  params.flags |= IORING_SETUP_CQSIZE;
  params.cq_entries = options.entries * 4;
  int rc = io_uring_queue_init_params(options.entries, &ring_, &params);
  if (rc < 0) {
    // Older kernels lack some flags; fall back to a plain ring rather than refusing to start.
    std::memset(&params, 0, sizeof(params));
    rc = io_uring_queue_init_params(options.entries, &ring_, &params);
  }
  RUNNEL_ASSERT(rc == 0, "io_uring_queue_init failed: %s", std::strerror(-rc));
  RUNNEL_ASSERT(tls_ring == nullptr, "a thread may own only one ring");
  tls_ring = this;
}

Ring::~Ring() {
  io_uring_queue_exit(&ring_);
  if (tls_ring == this) tls_ring = nullptr;
}

Ring* Ring::current() { return tls_ring; }

io_uring_sqe* Ring::sqe() {
  io_uring_sqe* s = io_uring_get_sqe(&ring_);
  while (s == nullptr) {
    int n = io_uring_submit(&ring_);
    RUNNEL_ASSERT(n >= 0 || n == -EBUSY || n == -EAGAIN, "io_uring_submit: %s", std::strerror(-n));
    if (n > 0) submitted_total_ += static_cast<uint64_t>(n);
    s = io_uring_get_sqe(&ring_);
  }
  return s;
}

void Ring::reserve_sqes(unsigned n) {
  RUNNEL_ASSERT(n <= ring_.sq.ring_entries, "%u SQEs reserved in a ring of %u", n, ring_.sq.ring_entries);
  while (io_uring_sq_space_left(&ring_) < n) {
    int s = io_uring_submit(&ring_);
    RUNNEL_ASSERT(s >= 0 || s == -EBUSY || s == -EAGAIN, "io_uring_submit: %s", std::strerror(-s));
    if (s > 0) submitted_total_ += static_cast<uint64_t>(s);
  }
}

Ring::Op Ring::read(int fd, void* buf, uint32_t len, uint64_t offset) {
  io_uring_sqe* s = sqe();
  io_uring_prep_read(s, fd, buf, len, offset);
  return Op(s);
}

Ring::Op Ring::readv(int fd, const iovec* iov, unsigned count, uint64_t offset) {
  io_uring_sqe* s = sqe();
  io_uring_prep_readv(s, fd, iov, count, offset);
  return Op(s);
}

Ring::Op Ring::write(int fd, const void* buf, uint32_t len, uint64_t offset) {
  io_uring_sqe* s = sqe();
  io_uring_prep_write(s, fd, buf, len, offset);
  return Op(s);
}

Ring::Op Ring::writev(int fd, const iovec* iov, unsigned count, uint64_t offset) {
  io_uring_sqe* s = sqe();
  io_uring_prep_writev(s, fd, iov, count, offset);
  return Op(s);
}

Ring::Op Ring::fsync(int fd, bool datasync) {
  io_uring_sqe* s = sqe();
  io_uring_prep_fsync(s, fd, datasync ? IORING_FSYNC_DATASYNC : 0);
  return Op(s);
}

Ring::Op Ring::fallocate(int fd, int mode, uint64_t offset, uint64_t len) {
  io_uring_sqe* s = sqe();
  io_uring_prep_fallocate(s, fd, mode, static_cast<off_t>(offset), static_cast<off_t>(len));
  return Op(s);
}

Ring::Op Ring::ftruncate(int fd, uint64_t len) {
  // liburing 2.3 predates the opcode (and its prep helper); the value is the kernel ABI's.
  constexpr int kOpFtruncate = 55;
  io_uring_sqe* s = sqe();
  io_uring_prep_rw(kOpFtruncate, s, fd, nullptr, 0, len);
  return Op(s);
}

Ring::Op Ring::fadvise(int fd, uint64_t offset, uint32_t len, int advice) {
  io_uring_sqe* s = sqe();
  io_uring_prep_fadvise(s, fd, offset, static_cast<off_t>(len), advice);
  return Op(s);
}

Ring::Op Ring::openat(int dirfd, const char* path, int flags, mode_t mode) {
  io_uring_sqe* s = sqe();
  io_uring_prep_openat(s, dirfd, path, flags, mode);
  return Op(s);
}

Ring::Op Ring::close(int fd) {
  io_uring_sqe* s = sqe();
  io_uring_prep_close(s, fd);
  return Op(s);
}

Ring::Op Ring::unlinkat(int dirfd, const char* path, int flags) {
  io_uring_sqe* s = sqe();
  io_uring_prep_unlinkat(s, dirfd, path, flags);
  return Op(s);
}

Ring::Op Ring::renameat(int olddirfd, const char* oldpath, int newdirfd, const char* newpath) {
  io_uring_sqe* s = sqe();
  io_uring_prep_renameat(s, olddirfd, oldpath, newdirfd, newpath, 0);
  return Op(s);
}

Ring::Op Ring::mkdirat(int dirfd, const char* path, mode_t mode) {
  io_uring_sqe* s = sqe();
  io_uring_prep_mkdirat(s, dirfd, path, mode);
  return Op(s);
}

Ring::Op Ring::send(int fd, const void* buf, size_t len, int flags) {
  io_uring_sqe* s = sqe();
  io_uring_prep_send(s, fd, buf, len, flags);
  return Op(s);
}

Ring::Op Ring::recv(int fd, void* buf, size_t len, int flags) {
  io_uring_sqe* s = sqe();
  io_uring_prep_recv(s, fd, buf, len, flags);
  return Op(s);
}

Ring::Op Ring::sendmsg(int fd, const msghdr* msg, int flags) {
  io_uring_sqe* s = sqe();
  io_uring_prep_sendmsg(s, fd, msg, static_cast<unsigned>(flags));
  return Op(s);
}

Ring::Op Ring::cancel_fd(int fd) {
  io_uring_sqe* s = sqe();
  io_uring_prep_cancel_fd(s, fd, IORING_ASYNC_CANCEL_ALL);
  return Op(s);
}

void Ring::send_msg(Ring& target, Completion* c, int32_t res) {
  io_uring_sqe* s = sqe();
  io_uring_prep_msg_ring(s, target.fd(), static_cast<unsigned>(res), to_user_data(c), 0);
  // Only a failed hand-off produces a CQE here (user_data 0, checked in run_once).
  s->flags |= IOSQE_CQE_SKIP_SUCCESS;
  io_uring_sqe_set_data64(s, kMsgRingSenderCqe);
}

void Ring::run() {
  stopping_ = false;
  while (!stopping_) run_once(true);
}

void Ring::block_on(Task<void> task) {
  bool done = false;
  auto wrapper = [](Task<void> t, bool& d) -> Task<void> {
    co_await t;
    d = true;
  };
  spawn(wrapper(std::move(task), done));
  while (!done) run_once(true);
}

void Ring::run_once(bool may_block) {
  // Deferred wake-ups first, so that their SQEs go out with this submission. If any ran, the
  // caller's condition (block_on's task, stop()) may have changed: do not block this pass.
  if (!ready_.empty()) may_block = false;
  while (!ready_.empty()) {
    Completion* c = ready_.front();
    ready_.pop_front();
    c->complete(0, 0);
  }

  io_uring_cqe* cqe = nullptr;
  __kernel_timespec ts{};
  __kernel_timespec* tsp = nullptr;
  unsigned wait_nr = may_block ? 1 : 0;
  if (auto next = timers_.next_deadline()) {
    auto delta = *next - Clock::now();
    if (delta < Clock::duration::zero()) delta = Clock::duration::zero();
    auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(delta).count();
    ts.tv_sec = ns / 1'000'000'000;
    ts.tv_nsec = ns % 1'000'000'000;
    tsp = &ts;
  }
  if (!ready_.empty()) wait_nr = 0;
  unsigned pending = io_uring_sq_ready(&ring_);
  int rc;
  if (wait_nr == 0) {
    rc = io_uring_submit_and_get_events(&ring_);
  } else {
    rc = io_uring_submit_and_wait_timeout(&ring_, &cqe, wait_nr, tsp, nullptr);
  }
  if (rc >= 0 || rc == -ETIME) submitted_total_ += pending;
  RUNNEL_ASSERT(rc >= 0 || rc == -ETIME || rc == -EINTR || rc == -EAGAIN || rc == -EBUSY,
                "io_uring wait: %s", std::strerror(-rc));

  // Copy CQEs out and release their slots before dispatching: a completion handler may submit
  // and reap again, and must never see a half-consumed CQ.
  io_uring_cqe* batch[kCqeBatch];
  for (;;) {
    unsigned n = io_uring_peek_batch_cqe(&ring_, batch, kCqeBatch);
    if (n == 0) break;
    struct Event {
      uint64_t data;
      int32_t res;
      uint32_t flags;
    } events[kCqeBatch];
    for (unsigned i = 0; i < n; ++i) events[i] = {batch[i]->user_data, batch[i]->res, batch[i]->flags};
    io_uring_cq_advance(&ring_, n);
    completed_total_ += n;
    for (unsigned i = 0; i < n; ++i) {
      if (events[i].data == kIgnoreCqe) continue;
      if (events[i].data == kMsgRingSenderCqe) {
        RUNNEL_ASSERT(events[i].res >= 0, "cross-ring message lost: %s", std::strerror(-events[i].res));
        continue;
      }
      from_user_data(events[i].data)->complete(events[i].res, events[i].flags);
    }
    if (n < kCqeBatch) break;
  }
  timers_.fire_expired(Clock::now());
}

}  // namespace runnel::io
