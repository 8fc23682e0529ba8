#pragma once

#include <sys/eventfd.h>
#include <unistd.h>

#include <cstdint>
#include <optional>
#include <thread>
#include <type_traits>

#include "broker/io/ring.h"
#include "broker/io/task.h"

namespace runnel::io {

// Runs `fn` on a short-lived helper thread and resumes the caller on its ring when it is done.
// For the rare control-plane work that only has blocking system calls (creating a partition's
// directory and files, recursive directory scans): the ring thread keeps serving meanwhile.
// The hand-back is an eventfd read through the ring, so the ring never blocks.
//
// `fn` must not touch the calling shard's state: it runs concurrently with the ring thread.
template <typename F>
Task<std::invoke_result_t<F&>> run_blocking(Ring& ring, F& fn) {
  using R = std::invoke_result_t<F&>;
  int efd = ::eventfd(0, EFD_CLOEXEC);
  if (efd < 0) co_return fn();  // no eventfd (fd exhaustion): degrade to running inline
  std::optional<R> result;
  std::thread([&fn, &result, efd] {
    result.emplace(fn());
    uint64_t one = 1;
    // Nothing of the caller's frame is touched after this write: the caller may resume at once.
    ssize_t n = ::write(efd, &one, sizeof(one));
    (void)n;
  }).detach();
  uint64_t value = 0;
  co_await ring.read(efd, &value, sizeof(value), 0);
  co_await ring.close(efd);
  co_return std::move(*result);
}

}  // namespace runnel::io
