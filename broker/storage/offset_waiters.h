#pragma once

// Coroutines parked until a monotonically advancing offset (log end, flushed offset) reaches a
// value. Waking is deferred so the notifier (writer, flusher) never runs waiter code inside its
// own frame: it queues an IORING_OP_NOP per waiter whose CQE resumes it. A NOP rather than
// Ring::post because a CQE also wakes a loop that is about to block (Ring::block_on checks its
// task only between loop passes, so a post()ed final wake-up would leave it waiting).
// Single-threaded, like the log that owns it.

#include <coroutine>
#include <cstdint>
#include <map>

#include "broker/io/completion.h"
#include "broker/io/ring.h"
#include "broker/model/named_type.h"

namespace runnel::storage {

class OffsetWaiters {
 public:
  class Awaiter final : public io::Completion {
   public:
    Awaiter(OffsetWaiters& owner, Offset target) : owner_(owner), target_(target) {}
    bool await_ready() const noexcept { return owner_.current_ >= target_ || owner_.released_; }
    void await_suspend(std::coroutine_handle<> h) {
      waiter_ = h;
      owner_.waiters_.emplace(target_, this);
    }
    void await_resume() const noexcept {}
    void complete(int32_t, uint32_t) override { waiter_.resume(); }

   private:
    OffsetWaiters& owner_;
    Offset target_;
    std::coroutine_handle<> waiter_;
  };

  explicit OffsetWaiters(io::Ring& ring) : ring_(ring) {}

  // Suspends until advance() reached `target` (or release_all()).
  Awaiter wait(Offset target) { return Awaiter(*this, target); }

  void advance(Offset value) {
    if (value > current_) current_ = value;
    while (!waiters_.empty() && waiters_.begin()->first <= current_) {
      wake(waiters_.begin()->second);
      waiters_.erase(waiters_.begin());
    }
  }
  // Wakes everybody for good (the log failed or closed); waiters re-check state themselves.
  void release_all() {
    released_ = true;
    for (auto& [_, w] : waiters_) wake(w);
    waiters_.clear();
  }
  // Wakes the current waiters once, without advancing (they re-check state themselves); later
  // waits block as usual.
  void wake_waiting() {
    for (auto& [_, w] : waiters_) wake(w);
    waiters_.clear();
  }
  Offset current() const { return current_; }
  void reset(Offset value) { current_ = value; }
  size_t size() const { return waiters_.size(); }

 private:
  void wake(Awaiter* w) {
    io_uring_sqe* s = ring_.sqe();
    io_uring_prep_nop(s);
    io_uring_sqe_set_data(s, static_cast<io::Completion*>(w));
  }

  io::Ring& ring_;
  Offset current_{0};
  bool released_ = false;
  std::multimap<Offset, Awaiter*> waiters_;
};

}  // namespace runnel::storage
