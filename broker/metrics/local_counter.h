#pragma once

#include <atomic>
#include <cstdint>

namespace runnel::metrics {

// A counter with exactly one writer (a ring thread) and any number of readers (the admin
// thread at scrape time). The writer does a relaxed load and a relaxed store, which compiles to
// a plain add on x86-64 and arm64: no lock prefix, no fence, no contention. Readers see a value
// that is at most a few increments old, never a torn one.
class LocalCounter {
 public:
  void add(uint64_t n = 1) { v_.store(v_.load(std::memory_order_relaxed) + n, std::memory_order_relaxed); }
  uint64_t value() const { return v_.load(std::memory_order_relaxed); }

 private:
  std::atomic<uint64_t> v_{0};
};

// Same single-writer discipline for a value that goes up and down or is set outright.
class LocalGauge {
 public:
  void set(int64_t v) { v_.store(v, std::memory_order_relaxed); }
  void add(int64_t n) { v_.store(v_.load(std::memory_order_relaxed) + n, std::memory_order_relaxed); }
  int64_t value() const { return v_.load(std::memory_order_relaxed); }

 private:
  std::atomic<int64_t> v_{0};
};

}  // namespace runnel::metrics
