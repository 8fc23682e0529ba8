#pragma once

#include <coroutine>
#include <deque>

namespace runnel::io {

// A mutex for coroutines of one ring thread: lock() suspends instead of blocking the thread.
// Used where a multi-step async operation (read image, persist, publish) must not interleave
// with another one. Not thread-safe, by design: it never crosses cores.
class AsyncMutex {
 public:
  class Guard {
   public:
    explicit Guard(AsyncMutex* m) : m_(m) {}
    Guard(Guard&& o) noexcept : m_(o.m_) { o.m_ = nullptr; }
    Guard(const Guard&) = delete;
    ~Guard() {
      if (m_ != nullptr) m_->unlock();
    }

   private:
    AsyncMutex* m_;
  };

  struct LockAwaiter {
    AsyncMutex& m;
    bool await_ready() {
      if (!m.locked_) {
        m.locked_ = true;
        return true;
      }
      return false;
    }
    void await_suspend(std::coroutine_handle<> h) { m.waiters_.push_back(h); }
    Guard await_resume() { return Guard(&m); }
  };

  LockAwaiter lock() { return LockAwaiter{*this}; }

 private:
  void unlock() {
    if (waiters_.empty()) {
      locked_ = false;
      return;
    }
    // Ownership passes straight to the next waiter; locked_ stays true.
    auto h = waiters_.front();
    waiters_.pop_front();
    h.resume();
  }

  bool locked_ = false;
  std::deque<std::coroutine_handle<>> waiters_;
};

}  // namespace runnel::io
