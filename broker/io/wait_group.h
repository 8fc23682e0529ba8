#pragma once

#include <coroutine>

#include "broker/model/assert.h"

namespace runnel::io {

// Fan-out/fan-in for coroutines of one ring thread: the parent add()s one per child it
// spawns, each child calls done(), and `co_await wait()` resumes the parent after the last.
// Used to work on a request's partitions in parallel across cores.
class WaitGroup {
 public:
  void add(int n = 1) { pending_ += n; }
  void done() {
    RUNNEL_ASSERT(pending_ > 0, "WaitGroup::done without add");
    if (--pending_ == 0 && waiter_) {
      auto h = waiter_;
      waiter_ = nullptr;
      h.resume();
    }
  }

  struct Awaiter {
    WaitGroup& wg;
    bool await_ready() const noexcept { return wg.pending_ == 0; }
    void await_suspend(std::coroutine_handle<> h) noexcept { wg.waiter_ = h; }
    void await_resume() const noexcept {}
  };
  Awaiter wait() { return Awaiter{*this}; }

 private:
  int pending_ = 0;
  std::coroutine_handle<> waiter_;
};

}  // namespace runnel::io
