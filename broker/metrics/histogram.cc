#include "broker/metrics/histogram.h"

#include "broker/model/assert.h"

namespace runnel::metrics {

namespace {
constexpr int64_t kUs = 1000;
constexpr int64_t kMs = 1000 * kUs;
constexpr int64_t kS = 1000 * kMs;
constexpr int64_t kLatency[] = {50 * kUs,  100 * kUs, 250 * kUs, 500 * kUs, 1 * kMs,   2500 * kUs,
                                5 * kMs,   10 * kMs,  25 * kMs,  50 * kMs,  100 * kMs, 250 * kMs,
                                500 * kMs, 1 * kS,    2500 * kMs, 5 * kS,   10 * kS,   30 * kS};
constexpr int64_t kBatch[] = {1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 4096, 16384, 65536};
}  // namespace

std::span<const int64_t> latency_bounds_ns() { return kLatency; }
std::span<const int64_t> batch_bounds() { return kBatch; }

uint64_t HistogramData::count() const {
  uint64_t n = 0;
  for (uint64_t c : counts) n += c;
  return n;
}

void HistogramData::merge(const HistogramData& other) {
  if (counts.empty()) counts.assign(other.counts.size(), 0);
  RUNNEL_ASSERT(counts.size() == other.counts.size(), "merging histograms with %zu and %zu buckets", counts.size(),
                other.counts.size());
  for (size_t i = 0; i < counts.size(); ++i) counts[i] += other.counts[i];
  sum += other.sum;
}

LocalHistogram::LocalHistogram(std::span<const int64_t> bounds) : bounds_(bounds) {
  RUNNEL_ASSERT(bounds.size() + 1 <= kMaxBuckets, "histogram with %zu bounds, at most %zu", bounds.size(),
                kMaxBuckets - 1);
}

HistogramData LocalHistogram::read() const {
  HistogramData d;
  d.counts.resize(bounds_.size() + 1);
  for (size_t i = 0; i < d.counts.size(); ++i) d.counts[i] = counts_[i].load(std::memory_order_relaxed);
  d.sum = sum_.load(std::memory_order_relaxed);
  return d;
}

}  // namespace runnel::metrics
