#pragma once

#include <coroutine>
#include <cstdint>
#include <exception>
#include <utility>
#include <vector>

#include "broker/io/task.h"
#include "broker/model/assert.h"

namespace runnel::io {

// Structured concurrency for one ring thread: the group owns the coroutines it starts.
// spawn() runs a child at once, inline until its first suspension (as Ring::spawn does), and
// the group counts it until it ends. `co_await idle()` resumes once no child is alive;
// `co_await close()` also refuses new children, so after it the owner may destroy what the
// children used. The destructor asserts that no child is alive: no task outlives its owner.
//
// A child's frame is destroyed before the group hears that it ended, so a waiter resumed by
// the last child may destroy the group (and the object holding it) at once. Waiters are resumed
// inline, in the order they started waiting. One ring thread: no locks.
class TaskGroup {
 public:
  TaskGroup() = default;
  TaskGroup(const TaskGroup&) = delete;
  TaskGroup& operator=(const TaskGroup&) = delete;
  ~TaskGroup() {
    RUNNEL_ASSERT(alive_ == 0, "task group destroyed with %u tasks alive (closing: %d)", alive_, int(closing_));
    RUNNEL_ASSERT(waiters_.empty(), "task group destroyed with %zu coroutines waiting on it", waiters_.size());
  }

  // Starts `task` as a child. Returns false once the group is closing; the task then never runs
  // (a Task is lazy: dropping it runs nothing).
  bool spawn(Task<void> task) {
    if (closing_) return false;
    ++alive_;
    run_child(*this, std::move(task));
    return true;
  }

  uint32_t alive() const { return alive_; }
  bool closing() const { return closing_; }

  struct Idle {
    TaskGroup& group;
    bool await_ready() const noexcept { return group.alive_ == 0; }
    void await_suspend(std::coroutine_handle<> h) { group.waiters_.push_back(h); }
    void await_resume() const noexcept {}
  };
  // Resumes once no child is alive; new children may still be spawned afterwards.
  Idle idle() { return Idle{*this}; }
  // Refuses new children and resumes once the last one ended. Closing twice is allowed (both
  // callers wait).
  Idle close() {
    closing_ = true;
    return Idle{*this};
  }

 private:
  // The frame that runs one child: it knows its group from its first argument, destroys
  // itself at the end and only then tells the group.
  struct Child {
    struct promise_type {
      TaskGroup* group;
      promise_type(TaskGroup& g, Task<void>&) : group(&g) {}
      Child get_return_object() noexcept { return {}; }
      std::suspend_never initial_suspend() noexcept { return {}; }
      struct Final {
        bool await_ready() noexcept { return false; }
        void await_suspend(std::coroutine_handle<promise_type> h) noexcept {
          TaskGroup* g = h.promise().group;
          h.destroy();
          g->child_ended();
        }
        void await_resume() noexcept {}
      };
      Final final_suspend() noexcept { return {}; }
      void return_void() noexcept {}
      void unhandled_exception() noexcept { std::terminate(); }
    };
  };
  static Child run_child(TaskGroup&, Task<void> task) { co_await task; }

  void child_ended() {
    RUNNEL_ASSERT(alive_ > 0, "task group: a child ended but %u were alive", alive_);
    if (--alive_ != 0 || waiters_.empty()) return;
    // The first waiter may destroy this group: work from a local copy only.
    std::vector<std::coroutine_handle<>> waiters = std::exchange(waiters_, {});
    for (std::coroutine_handle<> h : waiters) h.resume();
  }

  uint32_t alive_ = 0;
  bool closing_ = false;
  std::vector<std::coroutine_handle<>> waiters_;
};

}  // namespace runnel::io
