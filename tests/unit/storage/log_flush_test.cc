#include <gtest/gtest.h>

#include "test_util.h"

namespace runnel::storage {
namespace {

using testing::borrow;
using testing::LogFixture;
using testing::make_batch;

using LogFlush = LogFixture;

TEST_F(LogFlush, ConcurrentFlushCallersShareFdatasyncs) {
  open_log();
  constexpr int kN = 64;
  std::vector<std::vector<uint8_t>> batches;
  for (int i = 0; i < kN; ++i) batches.push_back(make_batch(1));
  int done = 0;
  int errors = 0;
  auto producer = [](PartitionLog& log, std::vector<uint8_t>& b, int& d, int& errs) -> io::Task<void> {
    const SharedBytes bytes = borrow(b);  // named: no temporary across co_await (g++ 12)
    AppendResult r = co_await log.append(bytes, LeaderEpoch(0));
    Result<void, Errc> flushed = co_await log.flush(r.last_offset);
    if (!flushed || log.flushed_offset() <= r.last_offset) ++errs;
    ++d;
  };
  for (int i = 0; i < kN; ++i) ring.spawn(producer(*log, batches[size_t(i)], done, errors));
  auto wait = [](io::Ring& r, int& d) -> io::Task<void> {
    while (d < kN) co_await r.sleep_for(std::chrono::milliseconds(1));
  };
  ring.block_on(wait(ring, done));
  EXPECT_EQ(errors, 0);
  EXPECT_EQ(log->flushed_offset(), Offset(kN));
  EXPECT_GE(log->stats().fdatasyncs, 1u);
  EXPECT_LE(log->stats().fdatasyncs, 4u) << "group commit should batch " << kN << " callers";
}

TEST_F(LogFlush, FlushOfAlreadyDurableOffsetDoesNotSync) {
  open_log();
  auto r = append_n(3);
  EXPECT_TRUE(ring.block_on(log->flush(r.last_offset)).has_value());
  const auto syncs = log->stats().fdatasyncs;
  EXPECT_TRUE(ring.block_on(log->flush(Offset(1))).has_value());
  EXPECT_EQ(log->stats().fdatasyncs, syncs);
  EXPECT_EQ(log->flushed_offset(), Offset(3));
}

TEST_F(LogFlush, FlushMessagesTriggersBackgroundFlush) {
  config.flush_messages = 5;
  open_log();
  append_n(2);
  append_n(2);
  ring.block_on(log->quiesce());
  EXPECT_EQ(log->flushed_offset(), Offset(0));
  append_n(2);
  ring.block_on(log->quiesce());
  EXPECT_EQ(log->flushed_offset(), Offset(6));
}

TEST_F(LogFlush, FlushCoversSealedSegments) {
  const int64_t batch_size = int64_t(make_batch(1, 1000, 100).size());
  config.segment_bytes = batch_size * 2;
  open_log();
  AppendResult r;
  for (int i = 0; i < 5; ++i) r = append_n(1, 1000, 100);
  EXPECT_TRUE(ring.block_on(log->flush(r.last_offset)).has_value());
  EXPECT_EQ(log->flushed_offset(), Offset(5));
}

TEST_F(LogFlush, AppendAfterCloseFails) {
  open_log();
  append_n(1);
  ring.block_on(log->close());
  auto b = make_batch(1);
  EXPECT_EQ(ring.block_on(log->append(borrow(b), LeaderEpoch(0))).error, Errc::closed);
}

}  // namespace
}  // namespace runnel::storage
