// ENOSPC and EIO through the fault-injecting seam: a full disk stops appends until space returns
// (then the log resumes by itself, losing nothing acknowledged and serving nothing half-written);
// an I/O error fails the log for good.
#include <gtest/gtest.h>

#include <chrono>
#include <map>

#include "broker/storage/cleaner.h"
#include "broker/storage/fault_files.h"
#include "compaction_util.h"

namespace runnel::storage {
namespace {

using testing::batches_of;
using testing::KV;
using testing::records_of;

struct StorageErrors : ::testing::Test {
  io::Ring ring;
  ManualClock clock;
  FaultFiles fs{clock};
  StagingPool staging;
  RecentWrites recent;
  LogEnv env{ring, fs, fs, staging, recent, clock, nullptr};
  LogConfig config;
  std::unique_ptr<PartitionLog> log;

  void SetUp() override {
    config.segment_bytes = 4096;
    open_log();
  }
  void TearDown() override {
    fs.set_capacity(UINT64_MAX);
    fs.set_fault_hook({});
    if (log) ring.block_on(log->close());
  }
  void open_log() {
    auto opened = PartitionLog::open(env, "/data/t-0", config, nullptr);
    ASSERT_TRUE(opened.has_value()) << opened.error();
    log = std::move(opened).value();
  }
  std::vector<uint8_t> batch(int i, int64_t pid = -1, int32_t seq = -1) {
    return testing::keyed_batch({{testing::numbered("k", i), std::string(200, char('a' + i % 26)), 1000 + i}},
                                records::Compression::none, pid, pid < 0 ? -1 : 0, seq);
  }
  // A copy the log owns: a refused append's bytes stay queued after the caller let go of them.
  AppendResult append(std::vector<uint8_t>& b) { return ring.block_on(log->append(SharedBytes::take(b), LeaderEpoch(0))); }
  Errc flush() {
    Result<void, Errc> r = ring.block_on(log->flush(Offset(INT64_MAX - 1)));
    return r ? Errc::none : r.error();
  }
  // Every record from the log start, as a consumer reads them (CRC checked).
  std::vector<testing::Rec> read_all() {
    std::vector<testing::Rec> out;
    int64_t next = log->log_start_offset().value();
    while (next < log->log_end_offset().value()) {
      ReadResult r = ring.block_on(log->read(Offset(next), 1 << 20, Offset(INT64_MAX), true));
      EXPECT_EQ(r.error, Errc::none);
      if (r.bytes.empty()) break;
      for (const testing::Rec& rec : records_of(r.bytes)) out.push_back(rec);
      next = batches_of(r.bytes).back().last_offset() + 1;
    }
    return out;
  }
  // Runs the ring until `done` or ~5 s passed.
  template <typename F>
  bool run_until(F done) {
    auto wait = [](io::Ring& r, F& d) -> io::Task<bool> {
      for (int i = 0; i < 500 && !d(); ++i) co_await r.sleep_for(std::chrono::milliseconds(10));
      co_return d();
    };
    return ring.block_on(wait(ring, done));
  }
};

TEST_F(StorageErrors, FullDiskRefusesAppendsKeepsReadsAndResumesWhenSpaceReturns) {
  std::vector<std::vector<uint8_t>> acked;
  for (int i = 0; i < 20; ++i) {
    acked.push_back(batch(i));
    ASSERT_EQ(append(acked.back()).error, Errc::none);
  }
  ASSERT_EQ(flush(), Errc::none);
  const std::vector<testing::Rec> before = read_all();
  ASSERT_EQ(before.size(), 20u);

  // The disk is full: batches still fit into the last page's padding, then a write fails.
  fs.set_capacity(fs.used_bytes());
  int32_t seq = 0;
  AppendResult r;
  for (; seq < 40; ++seq) {
    auto b = batch(20 + seq, 7, seq);  // an idempotent producer's batches
    r = append(b);
    if (r.error != Errc::none) break;
    ASSERT_EQ(flush(), Errc::none);
    acked.push_back(b);
  }
  ASSERT_EQ(r.error, Errc::out_of_space);
  const int64_t stalled_offset = 20 + seq;  // assigned, not acknowledged, kept by the log
  EXPECT_TRUE(log->out_of_space());
  EXPECT_FALSE(log->failed());
  auto refused = batch(99);
  AppendResult rr = append(refused);
  EXPECT_EQ(rr.error, Errc::out_of_space);  // refused at once: no offset assigned
  EXPECT_EQ(rr.base_offset, Offset(-1));
  const std::vector<testing::Rec> full = read_all();  // reads go on: everything acknowledged
  EXPECT_EQ(full.size(), acked.size());
  EXPECT_EQ(log->log_end_offset(), Offset(stalled_offset));
  EXPECT_EQ(flush(), Errc::none);
  EXPECT_EQ(log->stats().out_of_space, 1u);

  // Still full after a few retries; then space returns and the log resumes by itself.
  auto pause = [](io::Ring& ring) -> io::Task<void> { co_await ring.sleep_for(std::chrono::milliseconds(100)); };
  ring.block_on(pause(ring));
  EXPECT_TRUE(log->out_of_space());
  fs.set_capacity(UINT64_MAX);
  ASSERT_TRUE(run_until([&] { return !log->out_of_space(); }));
  EXPECT_FALSE(log->failed());
  // The refused batch's bytes were kept and written at their offset; the producer's retry is a
  // duplicate answered with it.
  EXPECT_EQ(log->log_end_offset(), Offset(stalled_offset + 1));
  auto retry = batch(20 + seq, 7, seq);
  AppendResult again = append(retry);
  EXPECT_EQ(again.error, Errc::none);
  EXPECT_TRUE(again.duplicate);
  EXPECT_EQ(again.base_offset, Offset(stalled_offset));
  auto more = batch(100);
  EXPECT_EQ(append(more).base_offset, Offset(stalled_offset + 1));
  ASSERT_EQ(flush(), Errc::none);

  // Nothing acknowledged lost, nothing half-written: after a power cut keeping only what was
  // synced, the log holds exactly the 22 batches.
  ring.block_on(log->quiesce());
  EXPECT_EQ(log->flushed_offset(), Offset(stalled_offset + 2));
  log.reset();
  std::mt19937_64 rng(1);
  fs.power_cut(rng, 0.0);
  open_log();
  const std::vector<testing::Rec> after = read_all();
  ASSERT_EQ(after.size(), acked.size() + 2);
  EXPECT_EQ(std::vector<testing::Rec>(after.begin(), after.begin() + 20), before);
  EXPECT_EQ(std::vector<testing::Rec>(after.begin(), after.begin() + int64_t(acked.size())), full);
  EXPECT_EQ(after[acked.size()].key, testing::numbered("k", 20 + seq));
  EXPECT_EQ(after[acked.size() + 1].key, "k100");
}

TEST_F(StorageErrors, FullDiskWhileSealingIsRetried) {
  config.segment_bytes = 1024;  // a roll every few batches: index and checkpoint files
  log.reset();
  open_log();
  for (int i = 0; i < 4; ++i) {
    auto b = batch(i);
    ASSERT_EQ(append(b).error, Errc::none);
  }
  // Index files need space (the segments' own pages are already allocated); fail them.
  int failed_index_writes = 0;
  fs.set_fault_hook([&](FileOpKind k, const std::string& path) {
    const bool index = path.find(".index") != std::string::npos || path.find(".timeindex") != std::string::npos;
    if (k == FileOpKind::write && index && failed_index_writes < 3) {
      ++failed_index_writes;
      return -ENOSPC;
    }
    return 0;
  });
  for (int i = 4; i < 12; ++i) {
    auto b = batch(i);
    ASSERT_EQ(append(b).error, Errc::none);
  }
  ASSERT_TRUE(run_until([&] { return failed_index_writes == 3; }));
  ring.block_on(log->quiesce());
  EXPECT_FALSE(log->failed());
  EXPECT_EQ(flush(), Errc::none);
  EXPECT_EQ(read_all().size(), 12u);
}

// close() on a full disk does not wait out the writer's backoff (it grows to 1 s): it ends the
// sleep, the stalled write then fails the log, and the writer is joined before any file closes.
TEST_F(StorageErrors, CloseOnAFullDiskEndsTheWritersBackoffAtOnce) {
  auto first = batch(0);
  ASSERT_EQ(append(first).error, Errc::none);
  fs.set_capacity(fs.used_bytes());
  AppendResult r;
  for (int i = 1; i < 40 && r.error == Errc::none; ++i) {
    auto b = batch(i);
    r = append(b);
  }
  ASSERT_EQ(r.error, Errc::out_of_space);
  // Retries after 20, 40, 80, 160 and 320 ms: by now the writer sleeps 640 ms.
  auto pause = [](io::Ring& ring) -> io::Task<void> { co_await ring.sleep_for(std::chrono::milliseconds(700)); };
  ring.block_on(pause(ring));
  ASSERT_TRUE(log->out_of_space());
  const auto start = io::Clock::now();
  ring.block_on(log->close());
  const auto took = std::chrono::duration_cast<std::chrono::milliseconds>(io::Clock::now() - start);
  EXPECT_LT(took.count(), 300) << "close() waited for the backoff";
  log.reset();  // the writer is gone: the log's TaskGroup would assert otherwise
}

// A compacted topic on a full disk: a swap that cannot commit is undone (old segments back
// under their names, the cleaned file gone) and the log serves on; with space back a later
// cleaning succeeds; no space for the swapped segment's index files is not a failure either
// (start-up rebuilds them, as after a crash right before them).
TEST_F(StorageErrors, FullDiskDuringCompactionSwapIsUndoneAndRetried) {
  config.segment_bytes = 1024;
  config.cleanup_compact = true;
  config.cleanup_delete = false;
  config.min_cleanable_dirty_ratio = 0.0;
  config.index_interval_bytes = 64;
  log.reset();
  open_log();
  CleanerConfig cleaner;
  cleaner.backoff_ms = 10;
  const std::vector<KV> h = testing::history(60, 4);
  for (const KV& kv : h) {
    auto b = testing::keyed_batch({kv});
    ASSERT_EQ(append(b).error, Errc::none);
  }
  ASSERT_EQ(flush(), Errc::none);
  ring.block_on(log->quiesce());
  const std::vector<testing::Rec> before = read_all();
  ASSERT_EQ(before.size(), h.size());
  auto leftovers = [&] {
    int n = 0;
    for (const std::string& name : fs.list_dir("/data/t-0")) {
      n += name.find(".cleaned") != std::string::npos || name.find(".swap") != std::string::npos ||
           name.find(".deleted") != std::string::npos;
    }
    return n;
  };
  auto listing = [&] {
    std::string all;
    for (const std::string& name : fs.list_dir("/data/t-0")) all += name + " ";
    return all;
  };

  // The commit rename (".cleaned" -> ".swap") finds no space: the swap is undone.
  fs.set_fault_hook([](FileOpKind k, const std::string& path) {
    return k == FileOpKind::rename && path.find(".cleaned") != std::string::npos ? -ENOSPC : 0;
  });
  CleanResult r = ring.block_on(clean_log(*log, cleaner, 10'000'000));
  EXPECT_EQ(r.status, CleanResult::Status::aborted) << r.message;
  EXPECT_FALSE(log->failed());
  EXPECT_EQ(leftovers(), 0) << listing();
  EXPECT_EQ(read_all().size(), before.size());  // nothing swapped, nothing lost
  auto more = testing::keyed_batch({{"k0", "after", 5000}});
  EXPECT_EQ(append(more).error, Errc::none);  // and appends go on

  // Space is back but the index files of the swapped segment still find none.
  fs.set_fault_hook([](FileOpKind k, const std::string& path) {
    const bool index = path.find(".index") != std::string::npos || path.find(".timeindex") != std::string::npos;
    return k == FileOpKind::write && index ? -ENOSPC : 0;
  });
  r = ring.block_on(clean_log(*log, cleaner, 10'000'000));
  EXPECT_EQ(r.status, CleanResult::Status::cleaned) << r.message;
  EXPECT_GT(r.segments_replaced, 0u);
  EXPECT_FALSE(log->failed());
  EXPECT_EQ(leftovers(), 0) << listing();
  fs.set_fault_hook({});
  const std::vector<testing::Rec> cleaned = read_all();
  EXPECT_LT(cleaned.size(), before.size());
  std::map<std::string, std::string> latest;
  for (const testing::Rec& rec : cleaned) latest[rec.key.value_or("")] = rec.value.value_or("");
  EXPECT_EQ(latest["k0"], "after");
  EXPECT_EQ(latest["k1"], testing::numbered("v", 57));

  // A restart rebuilds the missing index files and serves the same records.
  ring.block_on(log->close());
  log.reset();
  open_log();
  EXPECT_EQ(read_all(), cleaned);
}

TEST_F(StorageErrors, IoErrorFailsTheLogForGood) {
  auto b = batch(0);
  ASSERT_EQ(append(b).error, Errc::none);
  fs.set_fault_hook([](FileOpKind k, const std::string&) { return k == FileOpKind::fdatasync ? -EIO : 0; });
  EXPECT_EQ(flush(), Errc::log_failed);
  EXPECT_TRUE(log->failed());
  EXPECT_EQ(log->failed_errno(), EIO);
  EXPECT_FALSE(log->out_of_space());
  fs.set_fault_hook({});  // the disk "recovers": after a failed fsync nothing can be trusted
  auto c = batch(1);
  EXPECT_EQ(append(c).error, Errc::log_failed);
  EXPECT_EQ(flush(), Errc::log_failed);
  EXPECT_EQ(ring.block_on(log->read(Offset(0), 1 << 20, Offset(INT64_MAX), true)).error,
            Errc::log_failed);
  EXPECT_TRUE(log->failed());
}

TEST_F(StorageErrors, WriteIoErrorFailsTheLog) {
  fs.set_fault_hook([](FileOpKind k, const std::string&) { return k == FileOpKind::writev ? -EIO : 0; });
  auto b = batch(0);
  EXPECT_EQ(append(b).error, Errc::log_failed);
  EXPECT_TRUE(log->failed());
  EXPECT_EQ(log->failed_errno(), EIO);
}

}  // namespace
}  // namespace runnel::storage
