#pragma once

#include <coroutine>
#include <optional>
#include <type_traits>
#include <utility>

#include "broker/io/completion.h"
#include "broker/io/ring.h"
#include "broker/io/task.h"

namespace runnel::server {

namespace detail {
template <typename T>
struct TaskValue;
template <typename T>
struct TaskValue<io::Task<T>> {
  using type = T;
};
}  // namespace detail

// Runs `fn()` (returning io::Task<T>) on another ring's thread and resumes the caller with its
// result on the caller's thread. This is how a request that arrived on one core reaches a
// partition owned by another: two IORING_OP_MSG_RING hops, no locks, no shared queues.
//
// The call object lives in the caller's coroutine frame, which stays suspended until the
// answer comes back, so everything `fn` captures by reference stays valid on the other side.
// `fn` must only touch data owned by the target shard (or immutable shared data).
//
// Capture by reference (or trivially copyable values) only: the caller's frame outlives the
// call anyway, and g++ 12 has been seen to destroy a closure passed into a coroutine parameter
// twice, which corrupts a captured shared_ptr's count (found by ASan in the controller).
template <typename F>
class CrossCall final : public io::Completion {
 public:
  using T = typename detail::TaskValue<std::invoke_result_t<F&>>::type;

  CrossCall(io::Ring& home, io::Ring& target, F fn) : home_(home), target_(target), fn_(std::move(fn)) {}

  bool await_ready() const noexcept { return false; }
  void await_suspend(std::coroutine_handle<> h) {
    waiter_ = h;
    home_.send_msg(target_, this, 0);
  }
  T await_resume() { return std::move(*result_); }

  void complete(int32_t, uint32_t) override {
    if (!returning_) {
      returning_ = true;  // now on the target thread
      target_.spawn(run_there());
    } else {
      waiter_.resume();  // back home
    }
  }

 private:
  io::Task<void> run_there() {
    result_.emplace(co_await fn_());
    target_.send_msg(home_, this, 0);
  }

  io::Ring& home_;
  io::Ring& target_;
  F fn_;
  std::optional<T> result_;
  std::coroutine_handle<> waiter_;
  bool returning_ = false;
};

// co_await on(home, target, fn): runs fn on `target`, directly when it is the home ring.
template <typename F>
auto on(io::Ring& home, io::Ring& target, F fn) -> std::invoke_result_t<F&> {
  if (&home == &target) co_return co_await fn();
  co_return co_await CrossCall<F>(home, target, std::move(fn));
}

}  // namespace runnel::server
