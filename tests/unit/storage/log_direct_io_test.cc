// Direct-I/O appends (segment_appender.h): the partial last page served from memory, padding
// cut at close, the tmpfs fallback, and the staging pool's bounds.
#include <fcntl.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <numeric>

#include "broker/storage/recent_writes.h"
#include "broker/storage/staging_pool.h"
#include "test_util.h"

namespace runnel::storage {
namespace {

using testing::batches_of;
using testing::borrow;
using testing::LogFixture;
using testing::make_batch;

using LogDirectIo = LogFixture;

TEST_F(LogDirectIo, EveryReadDuringAppendsSeesWholeBatches) {
  // Batch sizes that land the log end at many different offsets within a page, so reads cross
  // the boundary between the file and the in-memory partial page in every way.
  open_log();
  int64_t records = 0;
  for (int i = 0; i < 60; ++i) {
    const int n = 1 + i % 7;
    append_n(n, 1000 + i, size_t(13 + 97 * i));
    records += n;
    std::vector<records::BatchHeader> all = batches_of(read(0).bytes);
    ASSERT_EQ(all.size(), size_t(i + 1)) << "after append " << i;
    EXPECT_EQ(all.back().last_offset(), records - 1);
    std::vector<records::BatchHeader> last = batches_of(read(records - 1).bytes);
    ASSERT_EQ(last.size(), 1u);
    EXPECT_EQ(last[0].records_count, n);
  }
}

TEST_F(LogDirectIo, ReadsNotCoveredByKeptBuffersUseTheFileAndTheTailPage) {
  // Writes larger than half the tail-cache budget are not kept, so these reads take the page
  // aligned part from the file and the partial last page from Segment::tail.
  open_log();
  const size_t value = RecentWrites::kBudgetBytes / 2 + 1001;  // a batch end never page aligned
  for (int i = 0; i < 3; ++i) {
    append_n(1, 1000 + i, value);
    EXPECT_EQ(recent.bytes(), 0u);
    std::vector<records::BatchHeader> last = batches_of(read(i, int32_t(value * 2)).bytes);
    ASSERT_EQ(last.size(), 1u) << "after append " << i;
    EXPECT_EQ(last[0].base_offset, i);
  }
  EXPECT_EQ(batches_of(read(0, int32_t(value * 4)).bytes).size(), 3u);
}

TEST_F(LogDirectIo, CloseCutsThePaddingAndAppendsResumeAfterReopen) {
  open_log();
  size_t bytes = 0;
  for (int i = 0; i < 5; ++i) {
    auto b = make_batch(3, 1000, 333);
    bytes += b.size();
    append(b);
  }
  close_log();
  EXPECT_EQ(file_size(path(0, ".log")), int64_t(bytes));  // no zero padding left behind
  open_log();
  EXPECT_TRUE(stats.clean_shutdown);
  EXPECT_EQ(stats.padding_trimmed, 0);
  EXPECT_EQ(log->log_end_offset(), Offset(15));
  // The first append after a restart rewrites the partial page it loaded from the file.
  append_n(2, 2000, 50);
  EXPECT_EQ(batches_of(read(0).bytes).size(), 6u);
  close_log();
  open_log();
  EXPECT_EQ(batches_of(read(0).bytes).size(), 6u);
  EXPECT_EQ(log->log_end_offset(), Offset(17));
}

TEST_F(LogDirectIo, SealedSegmentsHoldExactlyTheirBatches) {
  const auto batch = int64_t(make_batch(2, 1000, 500).size());
  config.segment_bytes = batch * 3;
  open_log();
  for (int i = 0; i < 7; ++i) append_n(2, 1000, 500);
  ring.block_on(log->quiesce());
  EXPECT_EQ(log->segment_count(), 3u);
  EXPECT_EQ(file_size(path(0, ".log")), 3 * batch);
  EXPECT_EQ(file_size(path(6, ".log")), 3 * batch);
  EXPECT_EQ(batches_of(read(0).bytes).size(), 3u);  // one segment per read
  EXPECT_EQ(batches_of(read(12).bytes).size(), 1u);
}

// tmpfs accepts O_DIRECT since Linux 6.6; before that the appender falls back to buffered writes.
TEST_F(LogDirectIo, TailReadsComeFromKeptWriteBuffersWithinABudget) {
  open_log();
  auto first = make_batch(4, 1000, 3000);
  append(first);
  // Scribble over the batch in the file behind the log's back: a read served from the kept
  // write buffer still returns the batch as written.
  {
    int fd = ::open(path(0, ".log").c_str(), O_WRONLY);
    ASSERT_GE(fd, 0);
    std::vector<uint8_t> junk(first.size() - 100, 0xee);  // the records; the header stays readable
    ASSERT_EQ(::pwrite(fd, junk.data(), junk.size(), 100), ssize_t(junk.size()));
    ::close(fd);
  }
  ASSERT_EQ(batches_of(read(0).bytes).size(), 1u);
  EXPECT_GT(recent.bytes(), 0u);
  // Writing more than the budget evicts the oldest buffers: the budget holds, and the evicted
  // range is read from the file again (where the scribble now shows).
  const size_t big = RecentWrites::kBudgetBytes / 8;
  for (int i = 0; i < 12; ++i) append_n(1, 2000 + i, big);
  EXPECT_LE(recent.bytes(), RecentWrites::kBudgetBytes);
  ReadResult r = read(0, int32_t(first.size()));
  ASSERT_EQ(r.bytes.size(), first.size());
  EXPECT_EQ(r.bytes[100], 0xee);
  // Recent data is still whole.
  EXPECT_EQ(batches_of(read(4 + 11).bytes).size(), 1u);
  close_log();
  EXPECT_EQ(recent.bytes(), 0u);  // released with the segment's appends
}

TEST(LogDirectIoTmpfs, AppendsAndReopensOnTmpfs) {
  struct statfs fs {};
  constexpr long kTmpfsMagic = 0x01021994;
  if (::statfs("/dev/shm", &fs) != 0 || fs.f_type != kTmpfsMagic) GTEST_SKIP() << "/dev/shm is not tmpfs";
  char tmpl[] = "/dev/shm/runnel-storage-XXXXXX";
  const std::string root = mkdtemp(tmpl);
  testing::RealEnv e;
  io::Ring& ring = e.ring;
  LogConfig config;
  {
    auto opened = PartitionLog::open(e.env, root + "/t-0", config, nullptr);
    ASSERT_TRUE(opened.has_value()) << opened.error();
    auto log = std::move(opened).value();
    for (int i = 0; i < 4; ++i) {
      auto b = make_batch(2, 1000, 700);
      ASSERT_EQ(ring.block_on(log->append(borrow(b), LeaderEpoch(0))).error, Errc::none);
    }
    EXPECT_TRUE(ring.block_on(log->flush(Offset(7))).has_value());
    EXPECT_EQ(batches_of(ring.block_on(log->read(Offset(0), 1 << 20, Offset(INT64_MAX), true)).bytes).size(), 4u);
    ring.block_on(log->close());
  }
  {
    auto opened = PartitionLog::open(e.env, root + "/t-0", config, nullptr);
    ASSERT_TRUE(opened.has_value()) << opened.error();
    auto log = std::move(opened).value();
    EXPECT_EQ(log->log_end_offset(), Offset(8));
    ring.block_on(log->close());
  }
  std::filesystem::remove_all(root);
}

TEST(StagingPool, BuffersSpanBlocksAndThePoolStaysBounded) {
  StagingPool pool;
  std::vector<uint8_t> pattern(3 * StagingPool::kBlockBytes + 1234);
  std::iota(pattern.begin(), pattern.end(), uint8_t{1});
  {
    StagingBuffer buf(pool, pattern.size());
    EXPECT_EQ(buf.size(), page_ceil(pattern.size()));
    EXPECT_EQ(buf.iovecs().size(), 4u);
    buf.write(0, pattern.data(), pattern.size());
    std::vector<uint8_t> back(pattern.size());
    buf.read(0, back.data(), back.size());
    EXPECT_EQ(back, pattern);
    for (const iovec& v : buf.iovecs()) EXPECT_EQ(reinterpret_cast<uintptr_t>(v.iov_base) % kPageBytes, 0u);
  }
  {
    // More blocks at once than the pool keeps: the surplus is freed, not retained.
    std::vector<std::unique_ptr<StagingBuffer>> held;
    for (size_t i = 0; i < StagingPool::kRetainedBlocks + 8; ++i) {
      held.push_back(std::make_unique<StagingBuffer>(pool, StagingPool::kBlockBytes));
    }
  }
  EXPECT_EQ(pool.retained(), StagingPool::kRetainedBlocks);
}

}  // namespace
}  // namespace runnel::storage
