#include <gtest/gtest.h>

#include <algorithm>
#include <thread>

#include "broker/metrics/histogram.h"
#include "broker/metrics/request_table.h"
#include "broker/metrics/shard_probe.h"

namespace runnel::metrics {
namespace {

TEST(LocalHistogram, BucketsAreInclusiveUpperBoundsWithAnInfBucket) {
  static constexpr int64_t kBounds[] = {10, 100};
  LocalHistogram h(kBounds);
  h.observe(5);
  h.observe(10);   // le=10 is inclusive
  h.observe(11);
  h.observe(1000);  // +Inf
  HistogramData d = h.read();
  ASSERT_EQ(d.counts.size(), 3u);
  EXPECT_EQ(d.counts[0], 2u);
  EXPECT_EQ(d.counts[1], 1u);
  EXPECT_EQ(d.counts[2], 1u);
  EXPECT_EQ(d.count(), 4u);
  EXPECT_EQ(d.sum, 5 + 10 + 11 + 1000);
}

TEST(LocalHistogram, MergeAddsShards) {
  LocalHistogram a(latency_bounds_ns());
  LocalHistogram b(latency_bounds_ns());
  a.observe(1'000'000);
  b.observe(1'000'000);
  b.observe(60'000'000'000);
  HistogramData sum;
  sum.merge(a.read());
  sum.merge(b.read());
  EXPECT_EQ(sum.count(), 3u);
  EXPECT_EQ(sum.counts.back(), 1u);  // 60 s is beyond the last bound
  EXPECT_EQ(sum.sum, 2'000'000 + 60'000'000'000);
}

TEST(LocalHistogram, ReaderOnAnotherThreadNeverSeesMoreThanWritten) {
  LocalHistogram h(latency_bounds_ns());
  constexpr int kN = 200000;
  std::thread writer([&] {
    for (int i = 0; i < kN; ++i) h.observe(i);
  });
  uint64_t last = 0;
  for (int i = 0; i < 1000; ++i) {
    uint64_t c = h.read().count();
    EXPECT_GE(c, last);  // one writer: counts only grow
    last = c;
  }
  writer.join();
  EXPECT_EQ(h.read().count(), static_cast<uint64_t>(kN));
}

TEST(RequestTable, CountsByApiVersionAndError) {
  RequestTable t;
  t.add(0, 9, 0);
  t.add(0, 9, 0);
  t.add(0, 9, 3);
  t.add(1, 12, 0);
  t.add(-1, -1, 42);
  auto rows = t.read();
  ASSERT_EQ(rows.size(), 4u);
  auto find = [&](int16_t a, int16_t v, int16_t e) -> uint64_t {
    for (const auto& r : rows) {
      if (r.api_key == a && r.api_version == v && r.error_code == e) return r.count;
    }
    return 0;
  };
  EXPECT_EQ(find(0, 9, 0), 2u);
  EXPECT_EQ(find(0, 9, 3), 1u);
  EXPECT_EQ(find(1, 12, 0), 1u);
  EXPECT_EQ(find(-1, -1, 42), 1u);
  EXPECT_EQ(t.overflow(), 0u);
}

TEST(RequestTable, OverflowIsCountedNotLost) {
  auto t = std::make_unique<RequestTable>();
  const size_t n = RequestTable::kCapacity + 10;
  for (size_t i = 0; i < n; ++i) t->add(static_cast<int16_t>(i % 100), static_cast<int16_t>(i / 100), 0);
  uint64_t total = 0;
  for (const auto& r : t->read()) total += r.count;
  EXPECT_EQ(t->read().size(), RequestTable::kCapacity);
  EXPECT_EQ(total + t->overflow(), n);
  EXPECT_EQ(t->overflow(), 10u);
}

TEST(ShardProbe, PublishCopiesTrafficIntoAnImmutableSnapshot) {
  auto p = std::make_unique<ShardProbe>(0);
  p->on_produced("a", 100, 10);
  p->on_produced("a", 50, 5);
  p->on_fetched("b", 7);
  PartitionStats s;
  s.topic = "a";
  s.log_end_offset = 15;
  p->publish({s}, 123);
  auto snap = p->snapshot();
  ASSERT_TRUE(snap);
  EXPECT_EQ(snap->taken_at_ns, 123);
  ASSERT_EQ(snap->partitions.size(), 1u);
  EXPECT_EQ(snap->partitions[0].log_end_offset, 15);
  p->on_produced("a", 1, 1);  // after publication: the old snapshot does not change
  auto topics = snap->topics;
  std::sort(topics.begin(), topics.end(), [](const auto& x, const auto& y) { return x.first < y.first; });
  ASSERT_EQ(topics.size(), 2u);
  EXPECT_EQ(topics[0].first, "a");
  EXPECT_EQ(topics[0].second.bytes_in, 150u);
  EXPECT_EQ(topics[0].second.records_in, 15u);
  EXPECT_EQ(topics[1].second.bytes_out, 7u);
}

TEST(ShardProbe, StallRequestIsTakenOnce) {
  auto p = std::make_unique<ShardProbe>(0);
  p->request_stall_ms(250);
  EXPECT_EQ(p->take_stall_ms(), 250);
  EXPECT_EQ(p->take_stall_ms(), 0);
}

}  // namespace
}  // namespace runnel::metrics
