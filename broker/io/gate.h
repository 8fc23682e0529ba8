#pragma once

#include <coroutine>
#include <cstdint>

#include "broker/model/assert.h"

namespace runnel::io {

// Keeps an object alive while work is inside it (Seastar's gate): operations enter() before
// they touch the object and leave() when done (a Holder does both); close() refuses new entries
// and completes once the last operation inside has left. The owner then may destroy the object.
// One ring thread: no locks.
class Gate {
 public:
  Gate() = default;
  Gate(const Gate&) = delete;
  Gate& operator=(const Gate&) = delete;
  ~Gate() { RUNNEL_ASSERT(inside_ == 0, "gate destroyed with %u operations inside", inside_); }

  // A scoped entry; check ok() (false once the gate is closing: the object is going away).
  class Holder {
   public:
    explicit Holder(Gate& g) : gate_(g.closing_ ? nullptr : &g) {
      if (gate_ != nullptr) ++gate_->inside_;
    }
    Holder(const Holder&) = delete;
    Holder& operator=(const Holder&) = delete;
    ~Holder() {
      if (gate_ != nullptr) gate_->leave();
    }
    bool ok() const { return gate_ != nullptr; }

   private:
    Gate* gate_;
  };

  bool closing() const { return closing_; }
  uint32_t inside() const { return inside_; }

  // Refuses new entries; `co_await close()` resumes once nothing is inside.
  struct Closer {
    Gate& gate;
    bool await_ready() const noexcept { return gate.inside_ == 0; }
    void await_suspend(std::coroutine_handle<> h) noexcept { gate.closer_ = h; }
    void await_resume() const noexcept {}
  };
  Closer close() {
    RUNNEL_ASSERT(!closing_, "gate closed twice");
    closing_ = true;
    return Closer{*this};
  }

 private:
  void leave() {
    RUNNEL_ASSERT(inside_ > 0, "gate left more often than entered");
    if (--inside_ == 0 && closer_) {
      auto h = closer_;
      closer_ = nullptr;
      h.resume();
    }
  }

  uint32_t inside_ = 0;
  bool closing_ = false;
  std::coroutine_handle<> closer_;
};

}  // namespace runnel::io
