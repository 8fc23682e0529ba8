#pragma once

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <coroutine>
#include <utility>
#include <vector>

#include "broker/io/ring.h"
#include "broker/model/assert.h"

namespace runnel::io {

// A stop request that sleeps obey (Seastar's abort_source): background loops sleep through
// it, and abort() ends every such sleep at once, so an owner that stops them waits for no
// interval or backoff to run out. Sleeps started after abort() end at once too; the loop then
// sees aborted() and returns. One ring thread: no locks.
//
// A sleep ended by abort() is resumed on the next pass of the loop (Ring::post), never inline,
// so the code that calls abort() is not re-entered. The source must outlive its sleeps; the
// destructor asserts that none is pending.
class AbortSource {
 public:
  explicit AbortSource(Ring& ring) : ring_(ring) {}
  AbortSource(const AbortSource&) = delete;
  AbortSource& operator=(const AbortSource&) = delete;
  ~AbortSource() { RUNNEL_ASSERT(sleeping_.empty(), "abort source destroyed with %zu sleeps pending", sleeping_.size()); }

  bool aborted() const { return aborted_; }

  // Ends every pending sleep and every later one.
  void abort() {
    if (aborted_) return;
    aborted_ = true;
    for (Sleep* s : std::exchange(sleeping_, {})) {
      ring_.timers().cancel(s->timer_);
      ring_.post(s);  // complete(0, 0) on the next pass
    }
  }

  // Resumes at `deadline` or after abort(), whichever comes first.
  class Sleep final : public Completion {
   public:
    Sleep(AbortSource& src, Clock::time_point deadline) : src_(src), deadline_(deadline) {}
    bool await_ready() const noexcept { return src_.aborted_; }
    void await_suspend(std::coroutine_handle<> h) {
      waiter_ = h;
      timer_ = src_.ring_.timers().add(deadline_, this);
      src_.sleeping_.push_back(this);
    }
    void await_resume() const noexcept {}
    // From the timer (-ETIME) or from abort()'s post (0), never both: abort() cancels the timer.
    void complete(int32_t res, uint32_t) override {
      if (res == -ETIME) std::erase(src_.sleeping_, this);
      waiter_.resume();
    }

   private:
    friend class AbortSource;
    AbortSource& src_;
    Clock::time_point deadline_;
    std::coroutine_handle<> waiter_;
    TimerQueue::Id timer_ = 0;
  };
  Sleep sleep_until(Clock::time_point deadline) { return Sleep(*this, deadline); }
  Sleep sleep_for(std::chrono::nanoseconds d) { return Sleep(*this, Clock::now() + d); }

 private:
  Ring& ring_;
  bool aborted_ = false;
  std::vector<Sleep*> sleeping_;
};

}  // namespace runnel::io
