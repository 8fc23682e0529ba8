// Snapshot files and the log trimmed behind them (snapshot_store.h, MetadataLogStore's
// trim_prefix/reset_to) on storage::FaultFiles: Kafka's names, the newest two kept, a damaged
// newest snapshot falls back to the previous one, recovery starts after the snapshot, and a power
// cut at every step of "write the snapshot, then trim" or "write the leader's snapshot, then
// reset the log" recovers the old state or the new one, never a log with a gap.

#include "broker/raft/snapshot_store.h"

#include <gtest/gtest.h>

#include <random>

#include "broker/raft/durable_state_loader.h"
#include "log_store_test_util.h"

namespace runnel::raft {
namespace {

using namespace testing;  // NOLINT(google-build-using-namespace): the helpers of log_store_test_util.h
using storage::FaultFiles;

std::vector<uint8_t> bytes_of(const std::string& s) { return {s.begin(), s.end()}; }
bool starts_ok(std::span<const uint8_t> b) { return !b.empty() && b[0] == 'S'; }  // "damaged" = not 'S'

std::string path_of(const std::string& name) { return std::string(kMetaDir) + "/" + name; }

TEST(SnapshotStoreNames, AreKafkas) {
  EXPECT_EQ(snapshot_file_name({Offset{1234}, LeaderEpoch{7}}), "00000000000000001234-0000000007.checkpoint");
  EXPECT_EQ(parse_snapshot_file_name("00000000000000001234-0000000007.checkpoint"),
            (OffsetAndEpoch{Offset{1234}, LeaderEpoch{7}}));
  EXPECT_EQ(parse_snapshot_file_name("00000000000000001234-0000000007.checkpoint.part"), std::nullopt);
  EXPECT_EQ(parse_snapshot_file_name("0000000000000000123x-0000000007.checkpoint"), std::nullopt);
  EXPECT_EQ(segment_file_name(Offset{42}), "00000000000000000042.log");
  EXPECT_EQ(parse_segment_file_name("00000000000000000042.log"), Offset{42});
  EXPECT_EQ(parse_segment_file_name("00000000000000000042.log.rolling"), std::nullopt);
}

using SnapshotStoreTest = MetadataDirTest;

TEST_F(SnapshotStoreTest, KeepsTheNewestTwoAndFallsBackFromADamagedOne) {
  for (int64_t end : {10, 20, 30}) {
    ASSERT_TRUE(write_snapshot(fs, dir, {Offset{end}, LeaderEpoch{2}}, bytes_of("S" + std::to_string(end))));
  }
  EXPECT_FALSE(fs.exists(path_of(snapshot_file_name({Offset{10}, LeaderEpoch{2}}))));
  EXPECT_TRUE(fs.exists(path_of(snapshot_file_name({Offset{20}, LeaderEpoch{2}}))));
  std::mt19937_64 rng(1);
  fs.power_cut(rng, 0.0);  // written, synced and renamed durably
  dir = open_metadata_dir(fs);
  auto loaded = load_newest_snapshot(fs, dir, starts_ok);
  ASSERT_TRUE(loaded && loaded->snapshot);
  EXPECT_EQ(loaded->snapshot->id.offset, Offset{30});
  EXPECT_EQ(*loaded->snapshot->bytes, bytes_of("S30"));
  // The newest damaged: the previous one.
  const int fd = fs.open(dir, snapshot_file_name({Offset{30}, LeaderEpoch{2}}).c_str(), O_WRONLY).run();
  ASSERT_EQ(fs.write(fd, "X", 1, 0).run(), 1);
  fs.close(fd).run();
  loaded = load_newest_snapshot(fs, dir, starts_ok);
  ASSERT_TRUE(loaded && loaded->snapshot);
  EXPECT_EQ(loaded->snapshot->id.offset, Offset{20});
  EXPECT_EQ(loaded->damaged, 1);
}

TEST_F(SnapshotStoreTest, TrimRollsToANewSegmentAndRecoveryStartsAfterTheSnapshot) {
  auto opened = MetadataLogStore::open(fs, dir);
  ASSERT_TRUE(opened);
  MetadataLogStore store = std::move(opened->store);
  ASSERT_TRUE(append(store, fs, data_entries(0, 4, 1)));
  ASSERT_TRUE(append(store, fs, data_entries(4, 4, 2)));
  ASSERT_TRUE(append(store, fs, data_entries(8, 2, 2)));
  ASSERT_TRUE(sync(store, fs));
  ASSERT_TRUE(write_snapshot(fs, dir, {Offset{6}, LeaderEpoch{2}}, bytes_of("S6")));
  ASSERT_TRUE(run_inline(store.trim_prefix(fs, Offset{6})));
  // The batch holding offset 6 starts at 4: the new segment starts there.
  EXPECT_EQ(store.base_offset(), Offset{4});
  EXPECT_FALSE(fs.exists(kSegmentPath));
  EXPECT_TRUE(fs.exists(path_of(segment_file_name(Offset{4}))));
  ASSERT_TRUE(append(store, fs, data_entries(10, 1, 3)));
  ASSERT_TRUE(sync(store, fs));
  store.close(fs);

  auto state = recover_durable_state(fs, dir, starts_ok);
  ASSERT_TRUE(state) << state.error().message;
  EXPECT_EQ(state->durable.log_start_offset, Offset{6});
  EXPECT_EQ(state->durable.log_start_epoch, LeaderEpoch{2});
  EXPECT_EQ(*state->durable.snapshot, bytes_of("S6"));
  EXPECT_EQ(state->durable.entries, concat(data_entries(6, 4, 2), data_entries(10, 1, 3)));
  EXPECT_EQ(state->log.end_offset(), Offset{11});
  // Truncation still works in the new segment.
  ASSERT_TRUE(truncate_to(state->log, fs, 9));
  state->log.close(fs);

  // Without the snapshot the trimmed log has a gap: the start is refused.
  ASSERT_EQ(fs.unlink(dir, snapshot_file_name({Offset{6}, LeaderEpoch{2}}).c_str()).run(), 0);
  auto refused = recover_durable_state(fs, dir, starts_ok);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().kind, LogStoreError::Kind::damaged);
}

// A power cut after every file operation of the driver's two snapshot steps.
TEST_F(SnapshotStoreTest, PowerCutAtEveryStepOfATrimOrAnInstall) {
  const auto old_log = concat(data_entries(0, 5, 1), data_entries(5, 5, 2));
  auto prepare = [&](FaultFiles& disk) {
    int d = make_metadata_dir(disk);
    auto opened = MetadataLogStore::open(disk, d);
    EXPECT_TRUE(opened && append(opened->store, disk, data_entries(0, 5, 1)) &&
                append(opened->store, disk, data_entries(5, 5, 2)) && sync(opened->store, disk));
    return std::make_pair(d, std::move(opened->store));
  };
  // trim: the owner's snapshot at (7, 2), then the log trimmed; install: the leader's snapshot
  // at (40, 6), then the log reset.
  for (bool install : {false, true}) {
    const OffsetAndEpoch id = install ? OffsetAndEpoch{Offset{40}, LeaderEpoch{6}} : OffsetAndEpoch{Offset{7}, LeaderEpoch{2}};
    auto step = [&](FaultFiles& disk, int d, MetadataLogStore& store) {
      if (!write_snapshot(disk, d, id, bytes_of("S"))) return false;
      auto done = install ? run_inline(store.reset_to(disk, id.offset)) : run_inline(store.trim_prefix(disk, id.offset));
      return done.has_value();
    };
    uint64_t ops = 0;
    {
      FaultFiles probe(clock);
      auto [d, store] = prepare(probe);
      const uint64_t before = probe.mutating_ops();
      ASSERT_TRUE(step(probe, d, store));
      ops = probe.mutating_ops() - before;
    }
    ASSERT_GE(ops, 8u);
    for (uint64_t cut = 0; cut <= ops; ++cut) {
      for (double keep : {0.0, 0.5, 1.0}) {
        for (uint64_t seed = 1; seed <= 4; ++seed) {
          FaultFiles disk(clock);
          auto [d, store] = prepare(disk);
          disk.power_off_after(cut);
          const bool acknowledged = step(disk, d, store);
          std::mt19937_64 rng(seed);
          disk.power_cut(rng, keep);
          SCOPED_TRACE(std::string(install ? "install" : "trim") + ", cut after " + std::to_string(cut) + " ops, keep " +
                       std::to_string(keep) + ", seed " + std::to_string(seed));
          auto state = recover_durable_state(disk, open_metadata_dir(disk), starts_ok);
          ASSERT_TRUE(state) << state.error().message;
          const DurableState& s = state->durable;
          const bool old_state = s.log_start_offset == Offset{0} && s.entries == old_log;
          bool new_state = s.log_start_offset == id.offset && s.log_start_epoch == id.epoch;
          if (install) {
            new_state = new_state && s.entries.empty() && state->log.end_offset() == id.offset;
          } else {
            new_state = new_state && s.entries == std::vector<Entry>(old_log.begin() + 7, old_log.end());
          }
          if (acknowledged) {
            EXPECT_TRUE(new_state);
          } else {
            EXPECT_TRUE(old_state || new_state) << "start " << s.log_start_offset.value() << ", " << s.entries.size()
                                                << " entries";
          }
          // The store carries on where the state says the log ends.
          const Offset end{s.log_start_offset.value() + static_cast<int64_t>(s.entries.size())};
          EXPECT_EQ(state->log.end_offset(), end);
          ASSERT_TRUE(append(state->log, disk, data_entries(end.value(), 1, 7)));
          state->log.close(disk);
        }
      }
    }
  }
}

}  // namespace
}  // namespace runnel::raft
