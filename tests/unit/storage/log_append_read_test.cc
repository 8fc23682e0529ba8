#include <gtest/gtest.h>

#include "test_util.h"

namespace runnel::storage {
namespace {

using testing::batches_of;
using testing::borrow;
using testing::LogFixture;
using testing::make_batch;

using LogAppendRead = LogFixture;

TEST_F(LogAppendRead, RoundTripPatchesOffsetsAndEpoch) {
  open_log();
  auto r1 = append_n(3);
  auto r2 = append_n(2);
  EXPECT_EQ(r1.error, Errc::none);
  EXPECT_EQ(r1.base_offset, Offset(0));
  EXPECT_EQ(r1.last_offset, Offset(2));
  EXPECT_EQ(r2.base_offset, Offset(3));
  EXPECT_EQ(r2.last_offset, Offset(4));
  EXPECT_EQ(log->log_end_offset(), Offset(5));
  auto rr = read(0);
  ASSERT_EQ(rr.error, Errc::none);
  auto hs = batches_of(rr.bytes);
  ASSERT_EQ(hs.size(), 2u);
  EXPECT_EQ(hs[0].base_offset, 0);
  EXPECT_EQ(hs[1].base_offset, 3);
  EXPECT_EQ(hs[1].partition_leader_epoch, 0);
  EXPECT_EQ(rr.log_end_offset, Offset(5));
  // Start in the middle of a batch: the whole batch containing it comes back.
  EXPECT_EQ(batches_of(read(4).bytes).front().base_offset, 3);
  EXPECT_TRUE(read(5).bytes.empty());
  EXPECT_EQ(read(5).error, Errc::none);
  EXPECT_EQ(read(6).error, Errc::offset_out_of_range);
  EXPECT_EQ(read(-1).error, Errc::offset_out_of_range);
}

TEST_F(LogAppendRead, ConcurrentAppendsAreOrderedByCallOrder) {
  open_log();
  constexpr int kN = 50;
  std::vector<std::vector<uint8_t>> batches;
  for (int i = 0; i < kN; ++i) batches.push_back(make_batch(1 + i % 3, 1000 + i));
  std::vector<AppendResult> results(kN);
  int done = 0;
  auto one = [](PartitionLog& l, std::vector<uint8_t>& b, AppendResult& out, int& d,
                io::Task<AppendResult> t) -> io::Task<void> {
    (void)l;
    (void)b;
    out = co_await t;
    ++d;
  };
  for (int i = 0; i < kN; ++i) {
    // append() is called here, in order; the tasks are awaited later, in any order.
    ring.spawn(one(*log, batches[size_t(i)], results[size_t(i)], done, log->append(borrow(batches[size_t(i)]), LeaderEpoch(1))));
  }
  auto wait = [](io::Ring& r, int& d) -> io::Task<void> {
    while (d < kN) co_await r.sleep_for(std::chrono::milliseconds(1));
  };
  ring.block_on(wait(ring, done));
  int64_t expect = 0;
  for (int i = 0; i < kN; ++i) {
    EXPECT_EQ(results[size_t(i)].base_offset, Offset(expect));
    expect += 1 + i % 3;
  }
  auto hs = batches_of(read(0, 1 << 20).bytes);
  ASSERT_EQ(hs.size(), size_t(kN));
  for (int i = 0; i < kN; ++i) EXPECT_EQ(hs[size_t(i)].base_timestamp, 1000 + i);
  EXPECT_LT(log->stats().writes, uint64_t(kN));  // coalesced into fewer writev calls
}

TEST_F(LogAppendRead, ReadRespectsMaxBytesMinOneAndMaxOffset) {
  open_log();
  std::vector<int64_t> sizes;
  for (int i = 0; i < 5; ++i) {
    auto b = make_batch(2, 1000, 100);
    sizes.push_back(int64_t(b.size()));
    append(b);
  }
  const int32_t one = int32_t(sizes[0]);
  EXPECT_EQ(batches_of(read(0, one).bytes).size(), 1u);
  EXPECT_EQ(batches_of(read(0, one * 2 + 5).bytes).size(), 2u);
  EXPECT_EQ(batches_of(read(0, 10, INT64_MAX, true).bytes).size(), 1u);  // KIP-74
  EXPECT_TRUE(read(0, 10, INT64_MAX, false).bytes.empty());
  // High watermark at 5 (inside batch [4,5]): only batches wholly below it.
  EXPECT_EQ(batches_of(read(0, 1 << 20, 5).bytes).size(), 2u);
  EXPECT_EQ(batches_of(read(0, 1 << 20, 6).bytes).size(), 3u);
  EXPECT_TRUE(read(6, 1 << 20, 6).bytes.empty());
}

TEST_F(LogAppendRead, ReadUsesIndexAcrossManyBatches) {
  config.index_interval_bytes = 256;
  open_log();
  for (int i = 0; i < 200; ++i) append_n(1, 1000 + i, 50);
  for (int64_t o : {0, 1, 57, 128, 199}) {
    auto hs = batches_of(read(o, 1).bytes);
    ASSERT_EQ(hs.size(), 1u) << o;
    EXPECT_EQ(hs[0].base_offset, o);
  }
}

TEST_F(LogAppendRead, OffsetForTimestampAndMaxTimestamp) {
  config.index_interval_bytes = 100;
  open_log();
  append_n(3, 1000);   // 0..2 at ts 1000..1002
  append_n(3, 5000);   // 3..5 at ts 5000..5002
  append_n(2, 3000);   // 6..7 at ts 3000..3001 (older than the max)
  auto at = [&](int64_t ts) { return ring.block_on(log->offset_for_timestamp(ts)); };
  EXPECT_EQ(at(0)->offset, Offset(0));
  EXPECT_EQ(at(1001)->offset, Offset(1));
  EXPECT_EQ(at(1001)->timestamp, 1001);
  EXPECT_EQ(at(1003)->offset, Offset(3));
  EXPECT_EQ(at(5002)->offset, Offset(5));
  EXPECT_FALSE(at(5003).has_value());
  auto [ts, off] = log->max_timestamp();
  EXPECT_EQ(ts, 5002);
  EXPECT_EQ(off, Offset(5));
  auto rec = ring.block_on(log->max_timestamp_record());
  ASSERT_TRUE(rec);
  EXPECT_EQ(rec->offset, Offset(5));
}

TEST_F(LogAppendRead, IdempotentDuplicateIsNotAppendedAndGapIsRejected) {
  open_log();
  auto b0 = make_batch(2, 1000, 10, 42, 0, 0);
  auto b1 = make_batch(2, 1000, 10, 42, 0, 2);
  EXPECT_EQ(append(b0).base_offset, Offset(0));
  EXPECT_EQ(append(b1).base_offset, Offset(2));
  auto again = make_batch(2, 1000, 10, 42, 0, 0);
  auto dup = append(again);
  EXPECT_EQ(dup.error, Errc::none);
  EXPECT_TRUE(dup.duplicate);
  EXPECT_EQ(dup.base_offset, Offset(0));
  EXPECT_EQ(dup.last_offset, Offset(1));
  EXPECT_EQ(log->log_end_offset(), Offset(4));
  auto gap = make_batch(1, 1000, 10, 42, 0, 7);
  EXPECT_EQ(append(gap).error, Errc::out_of_order_sequence);
  EXPECT_EQ(log->log_end_offset(), Offset(4));
}

}  // namespace
}  // namespace runnel::storage
