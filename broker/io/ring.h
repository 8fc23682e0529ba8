#pragma once

#include <liburing.h>
#include <sys/socket.h>
#include <sys/types.h>

#include <chrono>
#include <coroutine>
#include <cstdint>
#include <deque>

#include "broker/io/completion.h"
#include "broker/io/task.h"
#include "broker/io/timer_queue.h"

namespace runnel::io {

// One io_uring instance and the event loop that drives it. A Ring belongs to exactly one thread
// (the kernel is told so with IORING_SETUP_SINGLE_ISSUER): every method except the static ones
// must be called from that thread. Other threads reach a ring only through send_msg(), which
// posts a CQE into it via IORING_OP_MSG_RING, so cross-core hand-offs need no locks.
//
// Submission is batched: operations only queue SQEs, and the loop submits them all at once
// when it goes to wait. A full SQ is flushed early rather than failing.
class Ring {
 public:
  struct Options {
    unsigned entries = 4096;
    // DEFER_TASKRUN runs completions only when this thread enters the kernel, which keeps
    // completion work on our own schedule; it requires SINGLE_ISSUER.
    bool defer_taskrun = true;
  };

  explicit Ring(Options options);
  Ring() : Ring(Options{}) {}
  ~Ring();
  Ring(const Ring&) = delete;
  Ring& operator=(const Ring&) = delete;

  // The ring owned by the calling thread, or nullptr.
  static Ring* current();

  io_uring* raw() { return &ring_; }
  int fd() const { return ring_.ring_fd; }
  uint64_t submitted_total() const { return submitted_total_; }
  uint64_t completed_total() const { return completed_total_; }

  // Never returns nullptr: when the SQ is full, pending SQEs are submitted first.
  io_uring_sqe* sqe();
  // Submits the queued SQEs early if fewer than `n` slots are free, so that the next `n` sqe()
  // calls come from one batch. Linked SQEs (IOSQE_IO_LINK) must not be split across two
  // submissions: the kernel would end the chain at the first one.
  void reserve_sqes(unsigned n);

  // An awaitable single operation. await_resume() returns the CQE's res: >= 0 on success,
  // -errno on failure.
  class Op final : public Completion {
   public:
    explicit Op(io_uring_sqe* sqe) : sqe_(sqe) {}
    bool await_ready() const noexcept { return false; }
    void await_suspend(std::coroutine_handle<> h) noexcept {
      waiter_ = h;
      io_uring_sqe_set_data(sqe_, this);
    }
    int32_t await_resume() const noexcept { return res_; }
    void complete(int32_t res, uint32_t) override {
      res_ = res;
      waiter_.resume();
    }

   private:
    io_uring_sqe* sqe_;
    std::coroutine_handle<> waiter_;
    int32_t res_ = 0;
  };

  Op read(int fd, void* buf, uint32_t len, uint64_t offset);
  Op readv(int fd, const iovec* iov, unsigned count, uint64_t offset);
  Op write(int fd, const void* buf, uint32_t len, uint64_t offset);
  Op writev(int fd, const iovec* iov, unsigned count, uint64_t offset);
  Op fsync(int fd, bool datasync);
  Op fallocate(int fd, int mode, uint64_t offset, uint64_t len);
  // IORING_OP_FTRUNCATE needs kernel 6.9; older kernels answer -EINVAL (callers fall back).
  Op ftruncate(int fd, uint64_t len);
  Op fadvise(int fd, uint64_t offset, uint32_t len, int advice);
  Op openat(int dirfd, const char* path, int flags, mode_t mode);
  Op close(int fd);
  Op unlinkat(int dirfd, const char* path, int flags);
  Op renameat(int olddirfd, const char* oldpath, int newdirfd, const char* newpath);
  Op mkdirat(int dirfd, const char* path, mode_t mode);
  Op send(int fd, const void* buf, size_t len, int flags);
  Op recv(int fd, void* buf, size_t len, int flags);
  Op sendmsg(int fd, const msghdr* msg, int flags);
  Op cancel_fd(int fd);

  // Suspends the caller until `deadline`.
  class Sleep final : public Completion {
   public:
    Sleep(Ring& ring, Clock::time_point deadline) : ring_(ring), deadline_(deadline) {}
    bool await_ready() const noexcept { return false; }
    void await_suspend(std::coroutine_handle<> h) {
      waiter_ = h;
      ring_.timers().add(deadline_, this);
    }
    void await_resume() const noexcept {}
    void complete(int32_t, uint32_t) override { waiter_.resume(); }

   private:
    Ring& ring_;
    Clock::time_point deadline_;
    std::coroutine_handle<> waiter_;
  };
  Sleep sleep_until(Clock::time_point deadline) { return Sleep(*this, deadline); }
  Sleep sleep_for(std::chrono::nanoseconds d) { return Sleep(*this, Clock::now() + d); }

  // Starts a task that nobody awaits; it frees itself when done.
  void spawn(Task<void> task) { detach(std::move(task)); }

  // Runs c->complete(0, 0) on the next loop iteration of this ring (same thread only). Used to
  // wake waiters without recursing into them from the code that woke them.
  void post(Completion* c) { ready_.push_back(c); }

  // Posts c->complete(res, 0) into `target`'s event loop. Callable from this ring's thread only;
  // `c` then belongs to the target thread until it sends it back.
  void send_msg(Ring& target, Completion* c, int32_t res);

  TimerQueue& timers() { return timers_; }

  // Runs the event loop until stop() is called from this thread.
  void run();
  void stop() { stopping_ = true; }
  bool stopping() const { return stopping_; }

  // Runs the loop until `task` completes and returns its value: for start-up, shutdown and tests.
  template <typename T>
  T block_on(Task<T> task);
  void block_on(Task<void> task);

 private:
  // One pass: submit, wait for at least one event (or the next timer), dispatch everything.
  void run_once(bool may_block);

  io_uring ring_{};
  TimerQueue timers_;
  std::deque<Completion*> ready_;
  bool stopping_ = false;
  uint64_t submitted_total_ = 0;
  uint64_t completed_total_ = 0;
};

template <typename T>
T Ring::block_on(Task<T> task) {
  std::optional<T> out;
  bool done = false;
  auto wrapper = [](Task<T> t, std::optional<T>& o, bool& d) -> Task<void> {
    o.emplace(co_await t);
    d = true;
  };
  spawn(wrapper(std::move(task), out, done));
  while (!done) run_once(true);
  return std::move(*out);
}

}  // namespace runnel::io
