// MetadataLogStore (broker/raft/log_store.h) on storage::FaultFiles: the segment is Kafka's
// format (the bytes encode_entries makes), appends and truncations survive a reopen, a torn or
// corrupt tail is cut at the last good batch, a truncation inside a batch survives a power cut at
// every step, errors are values, and recover_durable_state assembles the replica's DurableState.
// One test runs the store as the broker will: recovery on BlockingFiles, the coroutines on an
// io_uring through RingFiles, on a real directory.

#include "broker/raft/log_store.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <random>

#include "broker/raft/durable_state_loader.h"
#include "broker/raft/leader_change.h"
#include "broker/raft/quorum_state_file.h"
#include "broker/raft/wire_records.h"
#include "broker/io/ring.h"
#include "broker/records/batch_header.h"
#include "broker/storage/blocking_files.h"
#include "broker/storage/ring_files.h"
#include "log_store_test_util.h"

namespace runnel::raft {
namespace {

using namespace testing;  // NOLINT(google-build-using-namespace): the helpers of log_store_test_util.h
using storage::FaultFiles;

std::vector<uint8_t> encoded(const std::vector<Entry>& entries, int64_t timestamp_ms = 1000) {
  return wire::encode_entries(entries, timestamp_ms);
}

std::vector<uint8_t> joined(std::initializer_list<std::vector<uint8_t>> parts) {
  std::vector<uint8_t> out;
  for (const auto& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

struct LogStoreTest : MetadataDirTest {
  RecoveredLog open() {
    auto opened = MetadataLogStore::open(fs, dir);
    EXPECT_TRUE(opened) << opened.error().message;
    return std::move(opened).value();
  }
  // Closes `store` and recovers the directory again (a clean restart).
  RecoveredLog reopen(MetadataLogStore& store) {
    store.close(fs);
    return open();
  }
  // Writes `bytes` at `position` of the segment, or cuts it to `position` (a test's own damage).
  void damage(uint64_t position, const std::vector<uint8_t>& bytes) {
    const int fd = fs.open(dir, kMetadataSegmentFileName, O_WRONLY).run();
    ASSERT_GE(fd, 0);
    if (bytes.empty()) {
      ASSERT_EQ(fs.ftruncate(fd, position).run(), 0);
    } else {
      ASSERT_EQ(fs.write(fd, bytes.data(), uint32_t(bytes.size()), position).run(), int(bytes.size()));
    }
    fs.close(fd).run();
  }
};

TEST_F(LogStoreTest, EmptyDirectoryGetsADurableEmptySegment) {
  RecoveredLog r = open();
  EXPECT_TRUE(r.entries.empty());
  EXPECT_EQ(r.store.end_offset(), Offset{0});
  EXPECT_EQ(r.store.size_bytes(), 0u);
  EXPECT_TRUE(r.store.batches().empty());
  EXPECT_TRUE(fs.exists(kSegmentPath));
  // The name survives a power cut that keeps nothing unsynced: open() fsynced the directory.
  std::mt19937_64 rng(1);
  fs.power_cut(rng, 0.0);
  EXPECT_TRUE(fs.exists(kSegmentPath));
}

TEST_F(LogStoreTest, AppendsRoundTripAsKafkaBatches) {
  RecoveredLog r = open();
  const auto first = data_entries(0, 3, 1);
  const auto second = data_entries(3, 600, 1);  // more than one batch holds (512 records)
  const auto third = data_entries(603, 2, 2);
  ASSERT_TRUE(append(r.store, fs, first, 1000));
  ASSERT_TRUE(append(r.store, fs, second, 2000));
  ASSERT_TRUE(append(r.store, fs, third, 3000));
  ASSERT_TRUE(sync(r.store, fs));
  EXPECT_EQ(r.store.end_offset(), Offset{605});
  ASSERT_EQ(r.store.batches().size(), 4u);
  EXPECT_EQ(r.store.batches()[2].base_offset, Offset{515});

  // The segment is exactly what encode_entries made of each append, back to back.
  const auto bytes = joined({encoded(first, 1000), encoded(second, 2000), encoded(third, 3000)});
  EXPECT_EQ(fs.contents(kSegmentPath), bytes);
  EXPECT_EQ(r.store.size_bytes(), bytes.size());

  const std::vector<BatchLocation> before(r.store.batches().begin(), r.store.batches().end());
  RecoveredLog again = reopen(r.store);
  EXPECT_EQ(again.entries, concat(concat(first, second), third));
  EXPECT_EQ(again.store.end_offset(), Offset{605});
  ASSERT_EQ(again.store.batches().size(), before.size());
  for (size_t i = 0; i < before.size(); ++i) {
    EXPECT_EQ(again.store.batches()[i].base_offset, before[i].base_offset);
    EXPECT_EQ(again.store.batches()[i].position, before[i].position);
    EXPECT_EQ(again.store.batches()[i].size_bytes, before[i].size_bytes);
  }
  EXPECT_EQ(again.stats.bytes_truncated, 0u);
  EXPECT_EQ(again.stats.batches, 4u);
}

TEST_F(LogStoreTest, LeaderChangeControlEntryRoundTrips) {
  RecoveredLog r = open();
  const std::string change = encode_leader_change({NodeId{2}, {NodeId{1}, NodeId{2}, NodeId{3}}, {NodeId{2}, NodeId{3}}});
  std::vector<Entry> entries{Entry{Offset{0}, LeaderEpoch{4}, EntryType::leader_change, change}};
  entries = concat(entries, data_entries(1, 2, 4));
  ASSERT_TRUE(append(r.store, fs, entries));
  ASSERT_TRUE(sync(r.store, fs));
  // Its own control batch, first in the segment.
  const auto bytes = fs.contents(kSegmentPath);
  records::BatchHeader h;
  ASSERT_TRUE(records::parse_header(bytes.data(), bytes.size(), h));
  EXPECT_TRUE(h.is_control());
  EXPECT_EQ(h.partition_leader_epoch, 4);
  EXPECT_EQ(r.store.batches().size(), 2u);

  RecoveredLog again = reopen(r.store);
  ASSERT_EQ(again.entries, entries);
  EXPECT_EQ(again.entries[0].type, EntryType::leader_change);
  auto decoded = decode_leader_change(again.entries[0].payload);
  ASSERT_TRUE(decoded);
  EXPECT_EQ(decoded->leader_id, NodeId{2});
}

TEST_F(LogStoreTest, TruncateAtABatchBoundary) {
  RecoveredLog r = open();
  const auto a = data_entries(0, 4, 1);
  const auto b = data_entries(4, 3, 1);
  ASSERT_TRUE(append(r.store, fs, a));
  ASSERT_TRUE(append(r.store, fs, b));
  ASSERT_TRUE(append(r.store, fs, data_entries(7, 2, 1)));
  ASSERT_TRUE(truncate_to(r.store, fs, 4));
  EXPECT_EQ(r.store.end_offset(), Offset{4});
  EXPECT_EQ(r.store.batches().size(), 1u);
  EXPECT_EQ(fs.contents(kSegmentPath), encoded(a));
  ASSERT_TRUE(truncate_to(r.store, fs, 4));  // at the end: nothing to do
  // The log goes on from the cut, in a new epoch.
  const auto c = data_entries(4, 2, 2, "new");
  ASSERT_TRUE(append(r.store, fs, c));
  ASSERT_TRUE(sync(r.store, fs));
  RecoveredLog again = reopen(r.store);
  EXPECT_EQ(again.entries, concat(a, c));
  ASSERT_TRUE(truncate_to(again.store, fs, 0));
  EXPECT_EQ(again.store.end_offset(), Offset{0});
  EXPECT_TRUE(fs.contents(kSegmentPath).empty());
  EXPECT_TRUE(reopen(again.store).entries.empty());
}

TEST_F(LogStoreTest, TruncateInsideABatchKeepsItsPrefix) {
  RecoveredLog r = open();
  const auto a = data_entries(0, 2, 1);
  const auto b = data_entries(2, 10, 1);
  ASSERT_TRUE(append(r.store, fs, a, 500));
  ASSERT_TRUE(append(r.store, fs, b, 700));
  ASSERT_TRUE(append(r.store, fs, data_entries(12, 3, 1), 900));
  ASSERT_TRUE(truncate_to(r.store, fs, 6));
  EXPECT_EQ(r.store.end_offset(), Offset{6});
  // The cut batch is re-encoded with its first four entries and its timestamp.
  const std::vector<Entry> kept(b.begin(), b.begin() + 4);
  EXPECT_EQ(fs.contents(kSegmentPath), joined({encoded(a, 500), encoded(kept, 700)}));
  EXPECT_FALSE(fs.exists(kJournalPath));
  ASSERT_EQ(r.store.batches().size(), 2u);
  EXPECT_EQ(r.store.batches()[1].base_offset, Offset{2});

  const auto c = data_entries(6, 3, 2, "new");
  ASSERT_TRUE(append(r.store, fs, c));
  ASSERT_TRUE(sync(r.store, fs));
  RecoveredLog again = reopen(r.store);
  EXPECT_EQ(again.entries, concat(concat(a, kept), c));
  EXPECT_FALSE(again.stats.truncation_finished);
  // Down to the first entry of the first batch.
  ASSERT_TRUE(truncate_to(again.store, fs, 1));
  EXPECT_EQ(reopen(again.store).entries, std::vector<Entry>(a.begin(), a.begin() + 1));
}

TEST_F(LogStoreTest, TornTailIsCutAtTheLastGoodBatch) {
  RecoveredLog r = open();
  const auto a = data_entries(0, 3, 1);
  ASSERT_TRUE(append(r.store, fs, a));
  ASSERT_TRUE(append(r.store, fs, data_entries(3, 3, 1)));
  ASSERT_TRUE(sync(r.store, fs));
  const BatchLocation second = r.store.batches()[1];
  r.store.close(fs);
  for (uint64_t cut : {second.position + 5, second.position + 61, second.position + second.size_bytes - 1}) {
    damage(cut, {});
    RecoveredLog again = open();
    EXPECT_EQ(again.entries, a) << cut;
    EXPECT_EQ(again.stats.bytes_truncated, cut - second.position) << cut;
    EXPECT_EQ(again.store.end_offset(), Offset{3});
    EXPECT_EQ(fs.contents(kSegmentPath).size(), second.position);  // the cut is on disk
    // Appends go where the torn batch was.
    const auto b = data_entries(3, 3, 1, "again");
    ASSERT_TRUE(append(again.store, fs, b));
    ASSERT_TRUE(sync(again.store, fs));
    RecoveredLog last = reopen(again.store);
    EXPECT_EQ(last.entries, concat(a, b)) << cut;
    last.store.close(fs);
  }
}

TEST_F(LogStoreTest, CorruptBatchesEndTheLog) {
  RecoveredLog r = open();
  const auto a = data_entries(0, 3, 2);
  ASSERT_TRUE(append(r.store, fs, a));
  ASSERT_TRUE(append(r.store, fs, data_entries(3, 3, 2)));
  ASSERT_TRUE(append(r.store, fs, data_entries(6, 3, 2)));
  ASSERT_TRUE(sync(r.store, fs));
  const std::vector<BatchLocation> at(r.store.batches().begin(), r.store.batches().end());
  r.store.close(fs);
  const std::vector<uint8_t> pristine = fs.contents(kSegmentPath);
  struct Case {
    const char* what;
    uint64_t position;
    std::vector<uint8_t> bytes;
  };
  const std::vector<Case> cases = {
      {"CRC byte flipped", at[1].position + records::layout::crc, {uint8_t(~pristine[at[1].position + 17])}},
      {"record byte flipped", at[1].position + at[1].size_bytes - 2, {uint8_t(~pristine[at[1].position + at[1].size_bytes - 2])}},
      {"magic", at[1].position + records::layout::magic, {1}},
      {"length zeroed", at[1].position + 8, {0, 0, 0, 0}},
      {"base offset not contiguous", at[1].position, {0, 0, 0, 0, 0, 0, 0, 9}},
      {"epoch below the previous batch's", at[1].position + 12, {0, 0, 0, 1}},
  };
  for (const Case& c : cases) {
    damage(0, pristine);
    damage(c.position, c.bytes);
    RecoveredLog again = open();
    EXPECT_EQ(again.entries, a) << c.what;
    EXPECT_EQ(fs.contents(kSegmentPath).size(), at[1].position) << c.what;
    again.store.close(fs);
  }
  // A bad first batch leaves an empty log.
  damage(0, pristine);
  damage(records::layout::crc, {uint8_t(~pristine[records::layout::crc])});
  RecoveredLog empty = open();
  EXPECT_TRUE(empty.entries.empty());
  EXPECT_EQ(empty.store.end_offset(), Offset{0});
  EXPECT_TRUE(fs.contents(kSegmentPath).empty());
}

// The power goes after every step of a truncation inside a batch, and the restart keeps none,
// half or all of what was not synced. The prefix below the cut (synced before) always
// survives; the log is the old one or the truncated one; the journal is gone after recovery.
TEST_F(LogStoreTest, PowerCutAtEveryStepOfATruncationInsideABatch) {
  const auto a = data_entries(0, 3, 1);
  const auto b = data_entries(3, 300, 1, std::string(40, 'x'));  // one batch of several pages
  const auto old_log = concat(a, b);
  const std::vector<Entry> truncated(old_log.begin(), old_log.begin() + 100);
  // A fresh disk holding a and b, synced.
  auto synced_log = [&](FaultFiles& disk) {
    auto opened = MetadataLogStore::open(disk, make_metadata_dir(disk));
    EXPECT_TRUE(opened && append(opened->store, disk, a) && append(opened->store, disk, b) && sync(opened->store, disk));
    return std::move(opened->store);
  };
  uint64_t ops_per_truncation = 0;
  {
    FaultFiles probe(clock);
    MetadataLogStore store = synced_log(probe);
    const uint64_t before = probe.mutating_ops();
    ASSERT_TRUE(truncate_to(store, probe, 100));
    ops_per_truncation = probe.mutating_ops() - before;
  }
  ASSERT_GE(ops_per_truncation, 8u);  // journal write, sync, dir sync; cut, write, sync; unlink, dir sync
  int finished = 0;
  for (uint64_t cut = 0; cut <= ops_per_truncation; ++cut) {
    for (double keep : {0.0, 0.5, 1.0}) {
      for (uint64_t seed = 1; seed <= 6; ++seed) {
        FaultFiles disk(clock);
        MetadataLogStore store = synced_log(disk);
        disk.power_off_after(cut);
        const bool acknowledged = truncate_to(store, disk, 100).has_value();
        std::mt19937_64 rng(seed);
        disk.power_cut(rng, keep);
        auto recovered = MetadataLogStore::open(disk, open_metadata_dir(disk));
        ASSERT_TRUE(recovered) << recovered.error().message;
        const auto& entries = recovered->entries;
        SCOPED_TRACE("cut after " + std::to_string(cut) + " ops, keep " + std::to_string(keep) + ", seed " +
                     std::to_string(seed));
        if (acknowledged) {
          EXPECT_EQ(entries, truncated);
        } else {
          EXPECT_TRUE(entries == truncated || entries == old_log) << entries.size() << " entries";
        }
        finished += recovered->stats.truncation_finished ? 1 : 0;
        EXPECT_FALSE(disk.exists(kJournalPath));
      }
    }
  }
  EXPECT_GT(finished, 0);  // some cuts fell between the journal and its removal
}

TEST_F(LogStoreTest, IoErrorsAreValuesAndFailTheStoreUntilReopened) {
  RecoveredLog r = open();
  const auto a = data_entries(0, 3, 1);
  ASSERT_TRUE(append(r.store, fs, a));
  ASSERT_TRUE(sync(r.store, fs));
  fs.set_fault_hook([](storage::FileOpKind kind, const std::string&) { return kind == storage::FileOpKind::write ? -EIO : 0; });
  auto failed = append(r.store, fs, data_entries(3, 2, 1));
  ASSERT_FALSE(failed);
  EXPECT_EQ(failed.error().kind, LogStoreError::Kind::io);
  EXPECT_NE(failed.error().message.find("write segment"), std::string::npos) << failed.error().message;
  EXPECT_TRUE(r.store.failed());
  fs.set_fault_hook(nullptr);
  auto refused = sync(r.store, fs);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().kind, LogStoreError::Kind::failed);
  EXPECT_EQ(run_inline(r.store.truncate_to(fs, Offset{1})).error().kind, LogStoreError::Kind::failed);

  RecoveredLog again = reopen(r.store);
  EXPECT_EQ(again.entries, a);
  fs.set_fault_hook([](storage::FileOpKind kind, const std::string&) { return kind == storage::FileOpKind::fdatasync ? -EIO : 0; });
  auto sync_failed = sync(again.store, fs);
  ASSERT_FALSE(sync_failed);
  EXPECT_EQ(sync_failed.error().kind, LogStoreError::Kind::io);
  fs.set_fault_hook([](storage::FileOpKind kind, const std::string&) { return kind == storage::FileOpKind::open ? -EIO : 0; });
  again.store.close(fs);
  auto unopenable = MetadataLogStore::open(fs, dir);
  ASSERT_FALSE(unopenable);
  EXPECT_EQ(unopenable.error().kind, LogStoreError::Kind::io);
  EXPECT_NE(unopenable.error().message.find("open segment"), std::string::npos) << unopenable.error().message;
  fs.set_fault_hook(nullptr);
  EXPECT_EQ(fs.open_files(), 1u);  // the directory: open() closed what it opened
}

TEST_F(LogStoreTest, RecoverDurableStateReadsQuorumStateAndLog) {
  auto empty = recover_durable_state(fs, dir);
  ASSERT_TRUE(empty) << empty.error().message;
  EXPECT_EQ(empty->durable.quorum, QuorumStateData{});
  EXPECT_EQ(empty->durable.log_start_offset, Offset{0});
  EXPECT_TRUE(empty->durable.entries.empty());
  const auto entries = data_entries(0, 5, 3);
  ASSERT_TRUE(append(empty->log, fs, entries));
  ASSERT_TRUE(sync(empty->log, fs));
  empty->log.close(fs);
  const QuorumStateData quorum{LeaderEpoch{3}, NodeId{2}, NodeId{2}};
  ASSERT_TRUE(write_quorum_state(fs, dir, quorum));

  auto state = recover_durable_state(fs, dir);
  ASSERT_TRUE(state) << state.error().message;
  EXPECT_EQ(state->durable.quorum, quorum);
  EXPECT_EQ(state->durable.entries, entries);
  EXPECT_EQ(state->log.end_offset(), Offset{5});
  state->log.close(fs);

  // A quorum-state file that cannot be read stops the start.
  const int fd = fs.open(dir, kQuorumStateFileName, O_WRONLY | O_TRUNC).run();
  ASSERT_GE(fd, 0);
  ASSERT_EQ(fs.write(fd, "{", 1, 0).run(), 1);
  fs.close(fd).run();
  auto damaged = recover_durable_state(fs, dir);
  ASSERT_FALSE(damaged);
  EXPECT_EQ(damaged.error().kind, LogStoreError::Kind::damaged);
}

TEST(LogStoreOnRealFiles, RecoveryOnBlockingFilesAndWritesThroughTheRing) {
  char tmpl[] = "/tmp/runnel-raft-log-XXXXXX";
  const std::filesystem::path root = mkdtemp(tmpl);
  const std::string dir_path = (root / kMetadataLogDirName).string();
  storage::Files& blocking = storage::BlockingFiles::instance();
  ASSERT_EQ(storage::make_dirs_synced(blocking, dir_path), 0);
  const int dir = ::open(dir_path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  ASSERT_GE(dir, 0);
  io::Ring ring;
  storage::RingFiles ring_files(ring);
  const auto a = data_entries(0, 3, 1);
  const auto b = data_entries(3, 10, 1, std::string(500, 'y'));
  {
    auto opened = recover_durable_state(blocking, dir);
    ASSERT_TRUE(opened) << opened.error().message;
    MetadataLogStore& store = opened->log;
    ASSERT_TRUE(ring.block_on(store.append(ring_files, a, 1000)));
    ASSERT_TRUE(ring.block_on(store.append(ring_files, b, 2000)));
    ASSERT_TRUE(ring.block_on(store.truncate_to(ring_files, Offset{7})));  // inside b
    ASSERT_TRUE(ring.block_on(store.sync(ring_files)));
    store.close(blocking);  // (on ring_files it would queue the close on the ring's next loop)
  }
  auto again = MetadataLogStore::open(blocking, dir);
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_EQ(again->entries, concat(a, std::vector<Entry>(b.begin(), b.begin() + 4)));
  EXPECT_EQ(std::filesystem::file_size(std::filesystem::path(dir_path) / kMetadataSegmentFileName),
            again->store.size_bytes());
  EXPECT_FALSE(std::filesystem::exists(std::filesystem::path(dir_path) / kMetadataTruncationFileName));
  again->store.close(blocking);
  ::close(dir);
  std::filesystem::remove_all(root);
}

}  // namespace
}  // namespace runnel::raft
