// End to end on a real PartitionLog (io_uring, temp dir): clean_log() and what readers see.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include "broker/storage/cleaner_checkpoint.h"
#include "compaction_util.h"

namespace runnel::storage {
namespace {

using testing::CompactionFixture;
using testing::keyed_batch;
using testing::KV;
using testing::numbered;
using testing::Rec;

// 400 updates of 20 keys unless a test says otherwise.
std::vector<KV> history(int n = 400) { return testing::history(n, 20); }
using testing::expected_after;

struct CompactionLog : CompactionFixture {
  void SetUp() override {
    CompactionFixture::SetUp();
    // ~10 single-record batches per segment.
    config.segment_bytes = int64_t(keyed_batch({{"k10", "v100"}}).size()) * 10;
  }
};

TEST_F(CompactionLog, KeepsTheLatestRecordPerKeyWithOriginalOffsets) {
  open_log();
  const auto h = history();
  write(h);
  const size_t segments_before = log->segment_count();
  ASSERT_GT(segments_before, 30u);
  const int64_t size_before = log->size_bytes();
  CleanResult r = clean();
  ASSERT_EQ(r.status, CleanResult::Status::cleaned) << r.message;
  EXPECT_EQ(r.range.first_dirty, 0);
  const int64_t u = r.range.first_uncleanable;
  EXPECT_EQ(r.new_checkpoint, u);
  EXPECT_EQ(r.stats.records_removed, u - 20);
  const auto got = read_all();
  EXPECT_EQ(got, expected_after(h, u));
  for (size_t i = 1; i < got.size(); ++i) ASSERT_LT(got[i - 1].offset, got[i].offset);
  EXPECT_LE(log->segment_count(), segments_before);
  EXPECT_LT(log->size_bytes(), size_before);
  EXPECT_EQ(log->log_start_offset().value(), 0);
  EXPECT_EQ(log->log_end_offset().value(), 400);
  // No leftovers of the swap; every segment has its index files.
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    const std::string name = e.path().filename().string();
    EXPECT_EQ(name.find(".cleaned"), std::string::npos) << name;
    EXPECT_EQ(name.find(".swap"), std::string::npos) << name;
    EXPECT_EQ(name.find(".deleted"), std::string::npos) << name;
  }
  EXPECT_TRUE(std::filesystem::exists(path(0, ".index")));
  EXPECT_TRUE(std::filesystem::exists(path(0, ".timeindex")));
}

TEST_F(CompactionLog, FetchAtACompactedAwayOffsetReturnsTheNextBatch) {
  open_log();
  write(history());
  ASSERT_EQ(clean().status, CleanResult::Status::cleaned);
  // Offset 5 ("k5" v5) was superseded by offset 25 etc.; the first kept offset of k5 is >= 300.
  ReadResult r = read(5, 1);
  ASSERT_EQ(r.error, Errc::none);
  auto hs = testing::batches_of(r.bytes);
  ASSERT_FALSE(hs.empty());
  EXPECT_GT(hs[0].base_offset, 5);
  // ListOffsets-style bounds are unchanged.
  EXPECT_EQ(log->log_start_offset().value(), 0);
  EXPECT_EQ(read(0, 1).error, Errc::none);
}

TEST_F(CompactionLog, CheckpointIsPersistedAndCleaningResumesAfterRestart) {
  open_log();
  auto h = history();
  write(h);
  CleanResult r = clean();
  ASSERT_EQ(r.status, CleanResult::Status::cleaned);
  std::ifstream in(dir + "/cleaner-offset-checkpoint");
  std::string text((std::istreambuf_iterator<char>(in)), {});
  EXPECT_EQ(decode_cleaner_checkpoint(text), r.new_checkpoint);
  EXPECT_EQ(text, numbered("0\n1\ntopic 0 ", r.new_checkpoint) + "\n");
  close_log();
  open_log();
  EXPECT_EQ(log->cleaner_state().checkpoint, r.new_checkpoint);
  EXPECT_EQ(read_all(), expected_after(h, r.new_checkpoint));
  EXPECT_FALSE(assess_log(*log, 10'000'000).cleanable);  // nothing new is dirty
  // More updates: the next cleaning starts at the checkpoint.
  auto more = history(200);
  for (auto& kv : more) kv.ts += 5000;
  write(more);
  h.insert(h.end(), more.begin(), more.end());
  CleanResult r2 = clean();
  ASSERT_EQ(r2.status, CleanResult::Status::cleaned);
  EXPECT_EQ(r2.range.first_dirty, r.new_checkpoint);
  EXPECT_EQ(read_all(), expected_after(h, r2.new_checkpoint));
  // The first cleaning left small segments: the second one merged them (segment.bytes groups).
  EXPECT_GT(r2.segments_replaced, r2.groups_swapped);
}

TEST_F(CompactionLog, SurvivesUncleanRestart) {
  open_log();
  auto h = history();
  write(h);
  CleanResult r = clean();
  ASSERT_EQ(r.status, CleanResult::Status::cleaned);
  crash();
  open_log();
  EXPECT_EQ(read_all(), expected_after(h, r.new_checkpoint));
  EXPECT_EQ(log->log_end_offset().value(), 400);
}

TEST_F(CompactionLog, TombstonesLiveForDeleteRetentionAfterTheirFirstCleaning) {
  config.delete_retention_ms = 1000;
  open_log();
  std::vector<KV> h = {{"a", "1"}, {"b", "1"}, {"a", std::nullopt}};
  for (int i = 0; i < 30; ++i) h.push_back({numbered("f", i), "filler"});  // roll past them
  write(h);
  const int64_t t0 = 1'000'000;
  ASSERT_EQ(clean(t0).status, CleanResult::Status::cleaned);
  auto has_tombstone = [&] {
    for (const Rec& r : read_all()) {
      if (r.key == "a") {
        EXPECT_FALSE(r.value.has_value());
        return true;
      }
    }
    return false;
  };
  EXPECT_TRUE(has_tombstone());
  EXPECT_EQ(log->cleaner_state().earliest_delete_horizon, t0 + 1000);
  EXPECT_FALSE(assess_log(*log, t0 + 999).cleanable);
  // The horizon alone triggers the next cleaning; the tombstone then goes, "b" stays.
  EXPECT_TRUE(assess_log(*log, t0 + 1000).cleanable);
  ASSERT_EQ(clean(t0 + 1000).status, CleanResult::Status::cleaned);
  EXPECT_FALSE(has_tombstone());
  bool b_present = false;
  for (const Rec& r : read_all()) b_present = b_present || r.key == "b";
  EXPECT_TRUE(b_present);
}

TEST_F(CompactionLog, DeleteHorizonSurvivesRestart) {
  config.delete_retention_ms = 1000;
  open_log();
  std::vector<KV> h = {{"a", std::nullopt}};
  for (int i = 0; i < 30; ++i) h.push_back({numbered("f", i), "filler"});
  write(h);
  ASSERT_EQ(clean(1'000'000).status, CleanResult::Status::cleaned);
  crash();
  open_log();
  // New dirty data triggers a cleaning after the horizon: the tombstone is removed even though
  // the restart lost the in-memory horizon (it is in the batch).
  std::vector<KV> more;
  for (int i = 0; i < 30; ++i) more.push_back({numbered("g", i), "x"});
  write(more);
  ASSERT_EQ(clean(1'002'000).status, CleanResult::Status::cleaned);
  for (const Rec& r : read_all()) EXPECT_NE(r.key, "a");
}

TEST_F(CompactionLog, IdempotentProducerStateSurvivesCompactionAndRestart) {
  open_log();
  for (int32_t seq = 0; seq < 3; ++seq) {
    auto b = keyed_batch({{"p", numbered("v", seq)}}, records::Compression::none, 9, 0, seq);
    ASSERT_EQ(append(b).error, Errc::none);
  }
  std::vector<KV> h;
  for (int i = 0; i < 30; ++i) h.push_back({"p", numbered("later", i)});  // supersedes all of them
  write(h);
  CleanResult r = clean();
  ASSERT_EQ(r.status, CleanResult::Status::cleaned);
  crash();
  open_log();
  const ProducerEntry* e = log->producer_state().find(ProducerId(9));
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->last_seq(), 2);
  // The producer continues with sequence 3 (no OUT_OF_ORDER_SEQUENCE_NUMBER), and a retry of
  // its last batch is still recognised as a duplicate.
  auto retry = keyed_batch({{"p", "v2"}}, records::Compression::none, 9, 0, 2);
  AppendResult dup = append(retry);
  EXPECT_EQ(dup.error, Errc::none);
  EXPECT_TRUE(dup.duplicate);
  auto next = keyed_batch({{"p", "v3"}}, records::Compression::none, 9, 0, 3);
  EXPECT_EQ(append(next).error, Errc::none);
}

TEST_F(CompactionLog, BoundedDedupeBufferCleansInSeveralPasses) {
  cleaner.dedupe_buffer_size = 1 << 16;  // ~2400 keys per cleaning
  config.segment_bytes = 8192;
  open_log();
  // 4000 distinct keys in batches of 100: nothing is superseded.
  int64_t total = 0;
  for (int b = 0; b < 40; ++b) {
    std::vector<KV> kvs;
    for (int i = 0; i < 100; ++i) kvs.push_back({numbered("key", b * 100 + i), "v"});
    auto batch = keyed_batch(kvs);
    ASSERT_EQ(append(batch).error, Errc::none);
    total += 100;
  }
  auto tail = keyed_batch({{"tail", "t"}});
  append(tail);
  ring.block_on(log->quiesce());
  CleanResult r1 = clean();
  ASSERT_EQ(r1.status, CleanResult::Status::cleaned) << r1.message;
  EXPECT_LT(r1.new_checkpoint, r1.range.first_uncleanable);  // the map filled up
  EXPECT_EQ(r1.new_checkpoint % 100, 0);                     // at a batch boundary
  CleanResult r2 = clean();
  ASSERT_EQ(r2.status, CleanResult::Status::cleaned) << r2.message;
  EXPECT_EQ(r2.range.first_dirty, r1.new_checkpoint);
  int guard = 0;
  while (log->cleaner_state().checkpoint < r1.range.first_uncleanable && guard++ < 5) clean();
  EXPECT_EQ(log->cleaner_state().checkpoint, r1.range.first_uncleanable);
  EXPECT_EQ(int64_t(read_all().size()), total + 1);
}

TEST_F(CompactionLog, CompactOnlyTopicsAreExemptFromRetention) {
  config.retention_ms = 1;
  open_log();
  write(history(100));
  const size_t n = log->segment_count();
  ring.block_on(log->enforce_retention(100'000'000));
  EXPECT_EQ(log->segment_count(), n);
  // compact,delete: retention applies as well.
  LogConfig both = config;
  both.cleanup_delete = true;
  log->update_config(both);
  ring.block_on(log->enforce_retention(100'000'000));
  EXPECT_EQ(log->segment_count(), 1u);
}

TEST_F(CompactionLog, DeleteOnlyLogIsNotCleaned) {
  config.cleanup_compact = false;
  config.cleanup_delete = true;
  open_log();
  write(history(100));
  EXPECT_EQ(clean().status, CleanResult::Status::nothing);
}

TEST_F(CompactionLog, CompressedBatchesAreCompactedWithTheirCodec) {
  open_log();
  std::vector<KV> all;
  for (int b = 0; b < 40; ++b) {
    std::vector<KV> kvs;
    for (int i = 0; i < 5; ++i) kvs.push_back({numbered("k", (b * 5 + i) % 7), numbered("v", b * 5 + i)});
    auto batch = keyed_batch(kvs, records::Compression::zstd);
    ASSERT_EQ(append(batch).error, Errc::none);
    all.insert(all.end(), kvs.begin(), kvs.end());
  }
  ring.block_on(log->quiesce());
  CleanResult r = clean();
  ASSERT_EQ(r.status, CleanResult::Status::cleaned);
  ReadResult rr = read(0);
  for (const auto& h : testing::batches_of(rr.bytes)) EXPECT_EQ(h.compression(), records::Compression::zstd);
  std::map<std::string, std::string> model;
  for (int64_t o = 0; o < r.range.first_uncleanable; ++o) model[all[size_t(o)].key] = *all[size_t(o)].value;
  std::map<std::string, std::string> seen;
  for (const Rec& rec : read_all()) {
    if (rec.offset >= r.range.first_uncleanable) break;
    EXPECT_FALSE(seen.count(*rec.key)) << *rec.key << " twice";
    seen[*rec.key] = *rec.value;
  }
  EXPECT_EQ(seen, model);
}

}  // namespace
}  // namespace runnel::storage

namespace runnel::storage {
namespace {

using CleanerPass = CompactionLog;

TEST_F(CleanerPass, HonoursEnableAndThreads) {
  open_log();
  write(history(100));
  std::vector<PartitionLog*> logs{log.get()};
  CleanerConfig off = cleaner;
  off.enable = false;
  EXPECT_EQ(ring.block_on(clean_filthiest(logs, off, 10'000'000)).status, CleanResult::Status::nothing);
  CleanerConfig no_threads = cleaner;
  no_threads.threads = 0;
  EXPECT_EQ(ring.block_on(clean_filthiest(logs, no_threads, 10'000'000)).status, CleanResult::Status::nothing);
  CleanResult r = ring.block_on(clean_filthiest(logs, cleaner, 10'000'000));
  EXPECT_EQ(r.status, CleanResult::Status::cleaned);
  // Nothing dirty any more: the next pass has nothing to do (the slot was released).
  EXPECT_EQ(ring.block_on(clean_filthiest(logs, cleaner, 10'000'000)).status, CleanResult::Status::nothing);
  write(history(100));
  EXPECT_EQ(ring.block_on(clean_filthiest(logs, cleaner, 10'000'000)).status, CleanResult::Status::cleaned);
}

TEST_F(CleanerPass, CloseWaitsForARunningCleaningAndReadsStayValid) {
  open_log();
  write(history(400));
  // Start a cleaning without waiting for it, then close: close() must abort or finish it
  // before closing fds, and nothing is lost either way.
  bool done = false;
  CleanResult result;
  auto run = [](PartitionLog& l, CleanerConfig c, bool& d, CleanResult& out) -> io::Task<void> {
    out = co_await clean_log(l, c, 10'000'000);
    d = true;
  };
  ring.spawn(run(*log, cleaner, done, result));
  ReadResult during = read(0);  // served while the job runs on its helper thread
  EXPECT_EQ(during.error, Errc::none);
  EXPECT_FALSE(testing::records_of(during.bytes).empty());
  close_log();
  EXPECT_TRUE(done);
  EXPECT_TRUE(result.status == CleanResult::Status::cleaned || result.status == CleanResult::Status::aborted);
  open_log();
  auto got = read_all();
  std::map<std::string, std::string> latest;
  for (const Rec& r : got) latest[*r.key] = *r.value;
  EXPECT_EQ(latest.size(), 20u);
  for (int k = 0; k < 20; ++k) EXPECT_EQ(latest[numbered("k", k)], numbered("v", 380 + k));
  for (size_t i = 1; i < got.size(); ++i) ASSERT_LT(got[i - 1].offset, got[i].offset);
}

}  // namespace
}  // namespace runnel::storage
