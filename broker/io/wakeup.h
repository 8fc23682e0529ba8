#pragma once

#include <cerrno>
#include <coroutine>
#include <optional>

#include "broker/io/ring.h"
#include "broker/model/assert.h"

namespace runnel::io {

// One coroutine of this ring waits, until another part of the same thread calls wake() or an
// optional deadline passes: an idle loop waiting for work, or a backoff sleep that close() must
// be able to cut short. A wake() with nobody waiting is remembered and ends the next wait at
// once, so a wake-up between "checked for work" and "started waiting" is never lost.
//
// wake() does not resume the waiter inline: it posts it to the next pass of the loop
// (Ring::post), so the code that wakes is never re-entered. The object must outlive the wait;
// the destructor asserts that nobody is waiting and no resumption is posted.
class Wakeup final : public Completion {
 public:
  explicit Wakeup(Ring& ring) : ring_(ring) {}
  ~Wakeup() { RUNNEL_ASSERT(!waiter_ && !posted_, "Wakeup destroyed while a coroutine waits on it"); }
  Wakeup(const Wakeup&) = delete;
  Wakeup& operator=(const Wakeup&) = delete;

  struct Awaiter {
    Wakeup& w;
    std::optional<Clock::time_point> deadline;
    bool await_ready() noexcept {
      if (!w.pending_) return false;
      w.pending_ = false;
      return true;
    }
    void await_suspend(std::coroutine_handle<> h) {
      RUNNEL_ASSERT(!w.waiter_, "two coroutines wait on one Wakeup");
      w.waiter_ = h;
      if (deadline) w.timer_ = w.ring_.timers().add(*deadline, &w);
    }
    void await_resume() const noexcept {}
  };
  // Resumes after wake() or at `deadline`, whichever comes first.
  Awaiter wait(std::optional<Clock::time_point> deadline = std::nullopt) { return Awaiter{*this, deadline}; }

  void wake() {
    if (!waiter_) {
      pending_ = true;
      return;
    }
    if (posted_) return;
    if (timer_ != 0) ring_.timers().cancel(timer_);
    timer_ = 0;
    posted_ = true;
    ring_.post(this);
  }

  // From the post (res 0) or the timer (-ETIME); only one of them, wake() cancels the timer.
  void complete(int32_t res, uint32_t) override {
    if (res == -ETIME) timer_ = 0;
    posted_ = false;
    auto h = waiter_;
    waiter_ = nullptr;
    h.resume();
  }

 private:
  Ring& ring_;
  std::coroutine_handle<> waiter_;
  TimerQueue::Id timer_ = 0;
  bool posted_ = false;
  bool pending_ = false;
};

}  // namespace runnel::io
