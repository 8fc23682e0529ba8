#pragma once

#include <time.h>

#include <cstdint>

namespace runnel::metrics {

// Monotonic nanoseconds for latency measurements: one vDSO call, no syscall, no allocation.
inline int64_t mono_ns() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return int64_t{ts.tv_sec} * 1'000'000'000 + ts.tv_nsec;
}

}  // namespace runnel::metrics
