#include <gtest/gtest.h>

#include <filesystem>

#include "test_util.h"

namespace runnel::storage {
namespace {

using testing::batches_of;
using testing::LogFixture;
using testing::make_batch;

using LogRollRetention = LogFixture;

TEST_F(LogRollRetention, RollsBySize) {
  const int64_t batch_size = int64_t(make_batch(1, 1000, 100).size());
  config.segment_bytes = batch_size * 3;
  open_log();
  for (int i = 0; i < 10; ++i) append_n(1, 1000 + i, 100);
  EXPECT_EQ(log->segment_count(), 4u);  // 3 + 3 + 3 + 1
  (void)ring.block_on(log->flush(Offset(9)));
  EXPECT_TRUE(std::filesystem::exists(path(0, ".log")));
  EXPECT_TRUE(std::filesystem::exists(path(3, ".log")));
  EXPECT_TRUE(std::filesystem::exists(path(9, ".log")));
  EXPECT_EQ(file_size(path(0, ".log")), batch_size * 3);
  // Reads cross segment boundaries batch by batch.
  for (int64_t o = 0; o < 10; ++o) EXPECT_EQ(batches_of(read(o, 1).bytes).at(0).base_offset, o);
  EXPECT_EQ(batches_of(read(0).bytes).size(), 3u);  // one segment per read, like Kafka
}

TEST_F(LogRollRetention, RollsByTimeOfFirstBatch) {
  config.segment_ms = 1000;
  open_log();
  append_n(1, 10'000);
  append_n(1, 10'500);
  append_n(1, 11'000);  // exactly segment.ms after the first: not yet
  EXPECT_EQ(log->segment_count(), 1u);
  append_n(1, 11'001);
  EXPECT_EQ(log->segment_count(), 2u);
}

TEST_F(LogRollRetention, SealedSegmentsGetIndexFiles) {
  const int64_t batch_size = int64_t(make_batch(1, 1000, 100).size());
  config.segment_bytes = batch_size * 4;
  config.index_interval_bytes = 1;
  open_log();
  for (int i = 0; i < 5; ++i) append_n(1, 1000 + i, 100);
  (void)ring.block_on(log->flush(Offset(4)));
  close_log();
  // Entries after every batch but the first (Kafka indexes once bytes_since > interval).
  EXPECT_EQ(file_size(path(0, ".index")), 3 * 8);
  EXPECT_EQ(file_size(path(0, ".timeindex")) % 12, 0);
  EXPECT_GE(file_size(path(0, ".timeindex")), 12);
}

TEST_F(LogRollRetention, RetentionByTimeDeletesOldSegmentsAndMovesLogStart) {
  const int64_t batch_size = int64_t(make_batch(1, 1000, 100).size());
  config.segment_bytes = batch_size * 2;
  config.retention_ms = 10'000;
  open_log();
  for (int i = 0; i < 6; ++i) append_n(1, 1000 + i * 10'000, 100);  // segments [0,1] [2,3] [4,5]
  (void)ring.block_on(log->flush(Offset(5)));
  ring.block_on(log->quiesce());  // sealing runs in the background
  ASSERT_EQ(log->segment_count(), 3u);
  // At now = 40'000: segment [0,1] (max ts 11'000) is older than 10 s, [2,3] (max 31'000) is not.
  ring.block_on(log->enforce_retention(40'000));
  EXPECT_EQ(log->segment_count(), 2u);
  EXPECT_EQ(log->log_start_offset(), Offset(2));
  EXPECT_FALSE(std::filesystem::exists(path(0, ".log")));
  EXPECT_FALSE(std::filesystem::exists(path(0, ".index")));
  EXPECT_EQ(read(1).error, Errc::offset_out_of_range);
  EXPECT_EQ(batches_of(read(2).bytes).front().base_offset, 2);
  // Far in the future: everything but the active segment goes.
  ring.block_on(log->enforce_retention(1'000'000));
  EXPECT_EQ(log->segment_count(), 1u);
  EXPECT_EQ(log->log_start_offset(), Offset(4));
  close_log();
  open_log();
  EXPECT_EQ(log->log_start_offset(), Offset(4));
  EXPECT_EQ(log->log_end_offset(), Offset(6));
}

TEST_F(LogRollRetention, RetentionByBytes) {
  const int64_t batch_size = int64_t(make_batch(1, 1000, 100).size());
  config.segment_bytes = batch_size * 2;
  config.retention_bytes = batch_size * 3;
  open_log();
  for (int i = 0; i < 7; ++i) append_n(1, 1000, 100);  // [0,1] [2,3] [4,5] [6]
  (void)ring.block_on(log->flush(Offset(6)));
  ring.block_on(log->quiesce());  // sealing runs in the background
  ASSERT_EQ(log->segment_count(), 4u);
  ring.block_on(log->enforce_retention(2000));
  // 7 batches, limit 3: deleting [0,1] leaves 5 >= 3, deleting [2,3] leaves 3 >= 3, then stop.
  EXPECT_EQ(log->segment_count(), 2u);
  EXPECT_EQ(log->log_start_offset(), Offset(4));
  EXPECT_EQ(log->size_bytes(), batch_size * 3);
}

TEST_F(LogRollRetention, RemoveDeletesTheDirectory) {
  open_log();
  append_n(3);
  ring.block_on(log->remove());
  log.reset();
  EXPECT_FALSE(std::filesystem::exists(dir));
}

}  // namespace
}  // namespace runnel::storage
