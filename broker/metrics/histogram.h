#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <span>
#include <vector>

namespace runnel::metrics {

// Upper bounds (inclusive, like Prometheus' `le`) of the buckets every Runnel histogram of a
// given kind uses. Fixed at compile time so that buckets of different shards add up.
//   latency: nanoseconds, 50 µs .. 30 s, exported in seconds.
//   batch:   a count (records per group commit), exported as is.
std::span<const int64_t> latency_bounds_ns();
std::span<const int64_t> batch_bounds();

// Snapshot of one histogram (or the sum of several): per-bucket counts, not cumulative;
// counts.back() is the +Inf bucket.
struct HistogramData {
  std::vector<uint64_t> counts;
  int64_t sum = 0;
  uint64_t count() const;
  void merge(const HistogramData& other);  // both must use the same bounds
};

// A fixed-bucket histogram with one writer (a ring thread) and any number of readers, with the
// same relaxed single-writer discipline as LocalCounter. No allocation after construction.
// A reader may see a sum that lags the buckets by an observation in flight; the exported
// _count is always derived from the buckets, so `+Inf == _count` holds as Prometheus requires.
class LocalHistogram {
 public:
  static constexpr size_t kMaxBuckets = 24;
  explicit LocalHistogram(std::span<const int64_t> bounds);

  void observe(int64_t v) {
    size_t i = 0;
    while (i < bounds_.size() && v > bounds_[i]) ++i;
    bump(counts_[i], 1);
    sum_.store(sum_.load(std::memory_order_relaxed) + v, std::memory_order_relaxed);
  }
  std::span<const int64_t> bounds() const { return bounds_; }
  HistogramData read() const;

 private:
  static void bump(std::atomic<uint64_t>& c, uint64_t n) {
    c.store(c.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
  }
  std::span<const int64_t> bounds_;
  std::array<std::atomic<uint64_t>, kMaxBuckets> counts_{};
  std::atomic<int64_t> sum_{0};
};

}  // namespace runnel::metrics
