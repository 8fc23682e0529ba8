#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "test_util.h"

namespace runnel::storage {
namespace {

using testing::batches_of;
using testing::LogFixture;
using testing::make_batch;

using LogRecovery = LogFixture;

void flip_byte(const std::string& p, int64_t pos) {
  int fd = ::open(p.c_str(), O_RDWR);
  ASSERT_GE(fd, 0);
  uint8_t b = 0;
  ASSERT_EQ(::pread(fd, &b, 1, pos), 1);
  b ^= 0x5a;
  ASSERT_EQ(::pwrite(fd, &b, 1, pos), 1);
  ::close(fd);
}
void append_bytes(const std::string& p, const std::vector<uint8_t>& bytes) {
  int fd = ::open(p.c_str(), O_WRONLY | O_APPEND);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(::write(fd, bytes.data(), bytes.size()), ssize_t(bytes.size()));
  ::close(fd);
}

TEST_F(LogRecovery, CleanReopenKeepsEverything) {
  config.index_interval_bytes = 64;
  open_log();
  for (int i = 0; i < 20; ++i) append_n(2, 1000 + i * 10, 30);
  close_log();
  open_log();
  EXPECT_TRUE(stats.clean_shutdown);
  EXPECT_EQ(stats.segments_recovered, 0u);
  EXPECT_EQ(log->log_end_offset(), Offset(40));
  EXPECT_EQ(log->flushed_offset(), Offset(40));
  EXPECT_EQ(log->max_timestamp().first, 1000 + 19 * 10 + 1);
  EXPECT_EQ(batches_of(read(33, 1).bytes).at(0).base_offset, 32);
  EXPECT_EQ(append_n(1).base_offset, Offset(40));
  EXPECT_EQ(ring.block_on(log->offset_for_timestamp(1095))->offset, Offset(20));
}

TEST_F(LogRecovery, TornTailIsTruncatedAtEveryByte) {
  open_log();
  append_n(2);
  append_n(3);
  auto last = make_batch(4, 2000, 50);
  append(last);
  crash();
  const std::string seg = path(0, ".log");
  // The file ends in direct-I/O padding (zeros to the page end); the batches end before it.
  const auto full = int64_t(make_batch(2).size() + make_batch(3).size() + last.size());
  EXPECT_EQ(file_size(seg), (full + 4095) / 4096 * 4096);
  const int64_t last_start = full - int64_t(last.size());
  std::vector<uint8_t> original(static_cast<size_t>(full), 0);
  {
    int fd = ::open(seg.c_str(), O_RDONLY);
    ASSERT_EQ(::pread(fd, original.data(), original.size(), 0), ssize_t(full));
    ::close(fd);
  }
  for (int64_t cut = last_start; cut < full; ++cut) {
    {
      int fd = ::open(seg.c_str(), O_WRONLY | O_TRUNC);
      ASSERT_EQ(::write(fd, original.data(), size_t(cut)), ssize_t(cut));
      ::close(fd);
    }
    open_log();
    EXPECT_FALSE(stats.clean_shutdown);
    EXPECT_EQ(log->log_end_offset(), Offset(5)) << "cut at " << cut;
    EXPECT_EQ(file_size(seg), last_start);
    EXPECT_EQ(stats.bytes_truncated, cut - last_start);
    EXPECT_EQ(batches_of(read(0).bytes).size(), 2u);
    log.reset();  // crash again, without a clean checkpoint
  }
}

TEST_F(LogRecovery, CorruptBatchInTheMiddleTruncatesFromThere) {
  open_log();
  append_n(2);
  auto second = make_batch(3, 1000, 40);
  append(second);
  append_n(4);
  crash();
  const std::string seg = path(0, ".log");
  const int64_t second_start = int64_t(make_batch(2).size());
  flip_byte(seg, second_start + 70);  // inside the CRC-covered records of batch 2
  open_log();
  EXPECT_EQ(log->log_end_offset(), Offset(2));
  EXPECT_EQ(file_size(seg), second_start);
  EXPECT_EQ(append_n(1).base_offset, Offset(2));
}

TEST_F(LogRecovery, GarbageAfterTheLastBatchIsRemoved) {
  open_log();
  append_n(3);
  crash();
  const std::string seg = path(0, ".log");
  const auto good = int64_t(make_batch(3).size());
  std::filesystem::resize_file(seg, uintmax_t(good));  // without the direct-I/O padding
  append_bytes(seg, std::vector<uint8_t>(100, 0xab));
  open_log();
  EXPECT_EQ(log->log_end_offset(), Offset(3));
  EXPECT_EQ(file_size(seg), good);
  // Zeros (preallocated or sparse tail after a crash) too.
  log.reset();
  append_bytes(seg, std::vector<uint8_t>(4096, 0));
  open_log();
  EXPECT_EQ(log->log_end_offset(), Offset(3));
  EXPECT_EQ(file_size(seg), good);
}

TEST_F(LogRecovery, DirectIoPaddingIsTrimmedWithoutCuttingLaterSegments) {
  // A crash between a roll and the old segment's seal leaves its zero padding in place while the
  // next segment already holds data: the padding must not count as a corruption point.
  const int64_t batch_size = int64_t(make_batch(1, 1000, 100).size());
  config.segment_bytes = batch_size * 2;
  open_log();
  for (int i = 0; i < 3; ++i) append_n(1, 1000, 100);
  ring.block_on(log->quiesce());
  crash();
  const std::string first = path(0, ".log");
  ASSERT_EQ(file_size(first), 2 * batch_size);  // sealed: truncated to its batches
  std::vector<uint8_t> pad(size_t(4096 - 2 * batch_size % 4096), 0);
  append_bytes(first, pad);
  std::filesystem::remove(path(0, ".index"));  // force a recovery scan of the first segment
  open_log();
  EXPECT_EQ(stats.bytes_truncated, 0);
  // This padding plus the active segment's own (the crash left it too).
  EXPECT_EQ(stats.padding_trimmed, int64_t(pad.size()) + (4096 - batch_size % 4096));
  EXPECT_EQ(stats.segments_deleted, 0u);
  EXPECT_EQ(log->log_end_offset(), Offset(3));
  EXPECT_EQ(file_size(first), 2 * batch_size);
  EXPECT_EQ(batches_of(read(0).bytes).size(), 2u);
  // The same zeros plus one more byte of garbage are corruption: later segments are cut.
  crash();
  append_bytes(first, pad);
  append_bytes(first, std::vector<uint8_t>(1, 0xab));
  std::filesystem::remove(path(0, ".index"));
  open_log();
  EXPECT_GT(stats.bytes_truncated, 0);
  EXPECT_EQ(stats.segments_deleted, 1u);
  EXPECT_EQ(log->log_end_offset(), Offset(2));
}

TEST_F(LogRecovery, CorruptTailAfterCleanCheckpointInOlderSegmentIsNotNeeded) {
  // Segments before the recovery point are trusted; a crash recovers only what follows.
  const int64_t batch_size = int64_t(make_batch(1, 1000, 100).size());
  config.segment_bytes = batch_size * 2;
  open_log();
  for (int i = 0; i < 5; ++i) append_n(1, 1000, 100);
  ring.block_on(log->quiesce());
  crash();
  open_log();
  EXPECT_FALSE(stats.clean_shutdown);
  EXPECT_EQ(stats.segments_recovered, 1u);  // only the active one
  EXPECT_EQ(log->log_end_offset(), Offset(5));
}

TEST_F(LogRecovery, MissingOrCorruptIndexFilesAreRebuilt) {
  const int64_t batch_size = int64_t(make_batch(1, 1000, 100).size());
  config.segment_bytes = batch_size * 4;
  config.index_interval_bytes = 1;
  open_log();
  for (int i = 0; i < 10; ++i) append_n(1, 1000 + i, 100);
  close_log();
  std::filesystem::remove(path(0, ".index"));
  std::filesystem::resize_file(path(4, ".timeindex"), 5);
  {
    // Valid shape, wrong content: last entry points at a position that is not its batch.
    int fd = ::open(path(8, ".index").c_str(), O_WRONLY | O_TRUNC);
    const uint8_t entry[8] = {0, 0, 0, 1, 0, 0, 0, 7};
    ASSERT_EQ(::write(fd, entry, 8), 8);
    ::close(fd);
  }
  open_log();
  EXPECT_EQ(stats.indexes_rebuilt, 3u);
  EXPECT_EQ(log->log_end_offset(), Offset(10));
  for (int64_t o = 0; o < 10; ++o) EXPECT_EQ(batches_of(read(o, 1).bytes).at(0).base_offset, o);
  EXPECT_EQ(file_size(path(0, ".index")), 3 * 8);  // rewritten
  EXPECT_EQ(ring.block_on(log->offset_for_timestamp(1006))->offset, Offset(6));
}

TEST_F(LogRecovery, ProducerDuplicatesDetectedAfterReopen) {
  for (bool clean : {true, false}) {
    open_log();
    const int64_t base = log->log_end_offset().value();
    const int16_t epoch = clean ? 0 : 1;
    auto b0 = make_batch(2, 1000, 10, 77, epoch, 0);
    auto b1 = make_batch(2, 1000, 10, 77, epoch, 2);
    append(b0);
    append(b1);
    if (clean) close_log(); else crash();
    open_log();
    auto retry = make_batch(2, 1000, 10, 77, epoch, 2);
    auto r = append(retry);
    EXPECT_TRUE(r.duplicate) << clean;
    EXPECT_EQ(r.base_offset, Offset(base + 2));
    auto gap = make_batch(1, 1000, 10, 77, epoch, 9);
    EXPECT_EQ(append(gap).error, Errc::out_of_order_sequence);
    auto old = make_batch(1, 1000, 10, 77, int16_t(epoch - 1), 0);
    if (epoch > 0) {
      EXPECT_EQ(append(old).error, Errc::invalid_producer_epoch);
    }
    close_log();
  }
}

}  // namespace
}  // namespace runnel::storage
