#pragma once

#include <cstddef>

#include "broker/io/ring.h"
#include "broker/io/task.h"
#include "broker/io/wait_group.h"

// Fan-out: run one coroutine per item, concurrently on one ring, and wait for all of them.

namespace runnel::io {

namespace detail {
template <typename F>
Task<void> run_one(F& body, size_t i, WaitGroup& wg) {
  co_await body(i);
  wg.done();
}
}  // namespace detail

// Runs body(i) -> Task<void> for every i in [0, n) concurrently on `ring` and completes when
// all have. `body` must stay alive until then: await the call where it is made.
template <typename F>
Task<void> for_each(Ring& ring, size_t n, F&& body) {
  WaitGroup wg;
  wg.add(static_cast<int>(n));
  for (size_t i = 0; i < n; ++i) ring.spawn(detail::run_one(body, i, wg));
  co_await wg.wait();
}

}  // namespace runnel::io
