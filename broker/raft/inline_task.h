#pragma once

// Runs an io::Task to its end right now, for tasks whose every await completes inline: file
// operations on a synchronous storage::Files (BlockingFiles, FaultFiles), where FileOp never
// suspends. MetadataLogStore's recovery uses it to share its coroutines with the serving path,
// and tests use it to drive the store on FaultFiles. Asserts that the task did not suspend (it
// would on RingFiles; use Ring::block_on there).

#include <optional>
#include <utility>

#include "broker/io/task.h"
#include "broker/model/assert.h"

namespace runnel::raft {
namespace detail {

template <typename T>
io::Detached run_into(io::Task<T> task, std::optional<T>& out) {
  out.emplace(co_await task);
}

}  // namespace detail

template <typename T>
T run_inline(io::Task<T> task) {
  std::optional<T> out;
  detail::run_into(std::move(task), out);
  RUNNEL_ASSERT(out.has_value(), "run_inline: the task suspended (an asynchronous Files?)");
  return std::move(*out);
}

}  // namespace runnel::raft
