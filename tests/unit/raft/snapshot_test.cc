// Snapshots in the core: the owner's snapshot trims the log to the previous one (memory and a
// TrimPrefix request),
// a leader answers a fetch below its log start with the snapshot id and serves the snapshot in
// chunks, and the fetcher installs it (InstallSnapshot, Ready::snapshot_installed), then
// replicates from its end; a restart starts from the snapshot.

#include <gtest/gtest.h>

#include "test_cluster.h"

namespace runnel::raft {
namespace {

using RaftSnapshot = test::ThreeVoters;

std::vector<uint8_t> bytes_of(const std::string& s) { return {s.begin(), s.end()}; }

// Proposes `n` records at the leader and lets them commit.
void commit_records(test::TestCluster& c, int leader, int n) {
  for (int k = 0; k < n; ++k) ASSERT_TRUE(c.node(leader).propose(c.now(), {"r" + std::to_string(k)}));
  c.run(300);
}

TEST_F(RaftSnapshot, TheOwnersSnapshotTrimsTheLogToThePreviousOne) {
  commit_records(c, leader, 10);
  Offset hw = c.node(leader).high_watermark();
  OffsetAndEpoch first = c.snapshot(leader, bytes_of("state at hw"));
  EXPECT_EQ(first.offset, hw);
  // The log reaches back past the newest snapshot: nothing is trimmed yet.
  EXPECT_EQ(c.node(leader).log().start_offset(), Offset{0});
  EXPECT_EQ(c.node(leader).newest_snapshot().id, first);
  EXPECT_FALSE(c.node(leader).latest_snapshot().present());
  commit_records(c, leader, 5);
  c.manual_persistence(leader);
  OffsetAndEpoch second = c.snapshot(leader, bytes_of("state later"));
  EXPECT_EQ(c.node(leader).log().start_offset(), first.offset);
  EXPECT_EQ(c.node(leader).latest_snapshot().id, first);
  EXPECT_EQ(c.node(leader).newest_snapshot().id, second);
  ASSERT_EQ(c.pending(leader).size(), 1u);
  const auto* trim = std::get_if<TrimPrefix>(&c.pending(leader).front().op);
  ASSERT_NE(trim, nullptr);
  EXPECT_EQ(trim->snapshot, first);
  c.persist(leader);
  c.manual_persistence(leader, false);
  // Replication goes on after the trim.
  commit_records(c, leader, 3);
  EXPECT_EQ(c.node(c.other(leader, 1)).high_watermark(), c.node(leader).high_watermark());
  // A snapshot not past the newest one is stale and ignored.
  c.node(leader).snapshot_created(second, std::make_shared<const std::vector<uint8_t>>(bytes_of("old")));
  EXPECT_EQ(c.node(leader).newest_snapshot().id, second);
  EXPECT_EQ(c.node(leader).latest_snapshot().id, first);
}

TEST_F(RaftSnapshot, ALaggingFollowerFetchesTheSnapshotInChunksAndCatchesUp) {
  int lagging = c.other(leader, 1);
  c.cut(lagging);
  commit_records(c, leader, 20);
  const std::string state = "a snapshot of the state machine, several chunks long";
  OffsetAndEpoch id = c.snapshot(leader, bytes_of(state));
  commit_records(c, leader, 5);
  c.snapshot(leader, bytes_of("a newer one: the log is trimmed to the first"));
  commit_records(c, leader, 2);
  c.cut(lagging, false);
  c.run(3000);  // its lost fetch is resent after the request timeout

  const Replica& f = c.node(lagging);
  EXPECT_EQ(f.log().start_offset(), id.offset);
  EXPECT_EQ(f.log().end_offset(), c.node(leader).log().end_offset());
  EXPECT_EQ(f.high_watermark(), c.node(leader).high_watermark());
  ASSERT_TRUE(f.latest_snapshot().present());
  EXPECT_EQ(*f.latest_snapshot().bytes, bytes_of(state));
  // The leader pointed it at the snapshot, which came in 16-byte chunks.
  bool pointed = false;
  for (const auto& [env, r] : c.sent_of<FetchResponse>()) pointed |= env.destination == NodeId{lagging} && r.snapshot_id == id;
  EXPECT_TRUE(pointed);
  EXPECT_EQ(c.sent_of<FetchSnapshotRequest>().size(), (state.size() + 15) / 16);
  // The state machine was told, and the disk holds the snapshot and the records after it.
  ASSERT_EQ(c.installed().size(), 1u);
  EXPECT_EQ(c.installed()[0].first, lagging);
  EXPECT_EQ(c.installed()[0].second.id, id);
  EXPECT_EQ(c.disk(lagging).log_start_offset, id.offset);
  EXPECT_EQ(*c.disk(lagging).snapshot, bytes_of(state));
  EXPECT_EQ(test::durable_end(c.disk(lagging)), f.log().end_offset());

  // A restart starts from the snapshot and the records after it.
  c.start(lagging);
  EXPECT_EQ(c.node(lagging).log().start_offset_and_epoch(), id);
  EXPECT_EQ(c.node(lagging).latest_snapshot().id, id);
  c.run(1000);
  EXPECT_EQ(c.node(lagging).high_watermark(), c.node(leader).high_watermark());
}

TEST_F(RaftSnapshot, AFetchSnapshotForAnotherSnapshotIsNotFound) {
  commit_records(c, leader, 5);
  OffsetAndEpoch id = c.snapshot(leader, bytes_of("five"));
  int from = c.other(leader, 1);
  commit_records(c, leader, 2);
  c.snapshot(leader, bytes_of("newer"));
  ASSERT_EQ(c.node(leader).latest_snapshot().id, id);
  FetchSnapshotRequest stale{"test-cluster", NodeId{from}, c.node(leader).epoch(), {Offset{2}, id.epoch}, 0, 100};
  c.node(leader).receive(c.now(), {NodeId{from}, NodeId{leader}, stale});
  FetchSnapshotRequest beyond{"test-cluster", NodeId{from}, c.node(leader).epoch(), id, 4, 100};
  c.node(leader).receive(c.now(), {NodeId{from}, NodeId{leader}, beyond});
  Ready ready = c.node(leader).take_ready();
  ASSERT_EQ(ready.messages.size(), 2u);
  EXPECT_EQ(std::get<FetchSnapshotResponse>(ready.messages[0].message).error, ErrorCode::snapshot_not_found);
  EXPECT_EQ(std::get<FetchSnapshotResponse>(ready.messages[1].message).error, ErrorCode::position_out_of_range);
}

}  // namespace
}  // namespace runnel::raft
