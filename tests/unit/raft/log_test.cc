// RaftLog: the epoch-start cache and the answers built on it.

#include "broker/raft/log.h"

#include <gtest/gtest.h>

#include "test_cluster.h"

namespace runnel::raft {
namespace {

RaftLog log_of(std::initializer_list<int> epochs) {
  RaftLog log;
  for (auto& e : test::records_in(epochs)) log.append(e);
  return log;
}

TEST(RaftLog, EpochCacheHoldsTheFirstOffsetOfEachEpoch) {
  RaftLog log = log_of({1, 1, 3, 3, 3, 4});
  ASSERT_EQ(log.epochs().size(), 3u);
  EXPECT_EQ(log.epochs()[1].epoch, LeaderEpoch{3});
  EXPECT_EQ(log.epochs()[1].start_offset, Offset{2});
  log.truncate_to(Offset{3});
  ASSERT_EQ(log.epochs().size(), 2u);
  EXPECT_EQ(log.end_offset_and_epoch(), (OffsetAndEpoch{Offset{3}, LeaderEpoch{3}}));
  log.truncate_to(Offset{2});
  EXPECT_EQ(log.last_epoch(), LeaderEpoch{1});
}

TEST(RaftLog, EndOffsetForEpochIsWhereTheNextEpochStarts) {
  RaftLog log = log_of({1, 1, 3, 3, 3, 4});
  EXPECT_EQ(log.end_offset_for_epoch(LeaderEpoch{1}), (OffsetAndEpoch{Offset{2}, LeaderEpoch{1}}));
  // Epoch 2 has no records here: the largest epoch below it is 1, which ends at 2.
  EXPECT_EQ(log.end_offset_for_epoch(LeaderEpoch{2}), (OffsetAndEpoch{Offset{2}, LeaderEpoch{1}}));
  EXPECT_EQ(log.end_offset_for_epoch(LeaderEpoch{3}), (OffsetAndEpoch{Offset{5}, LeaderEpoch{3}}));
  EXPECT_EQ(log.end_offset_for_epoch(LeaderEpoch{4}), (OffsetAndEpoch{Offset{6}, LeaderEpoch{4}}));
  EXPECT_EQ(log.end_offset_for_epoch(LeaderEpoch{9}), (OffsetAndEpoch{Offset{6}, LeaderEpoch{4}}));
  EXPECT_EQ(log.end_offset_for_epoch(LeaderEpoch{0}), (OffsetAndEpoch{Offset{0}, LeaderEpoch{0}}));
}

TEST(RaftLog, ValidateFetchFindsWhereLogsDiverge) {
  RaftLog leader = log_of({1, 1, 3, 3, 3, 4});
  using Kind = FetchPosition::Kind;
  EXPECT_EQ(leader.validate_fetch(Offset{0}, LeaderEpoch{0}).kind, Kind::valid);
  EXPECT_EQ(leader.validate_fetch(Offset{4}, LeaderEpoch{3}).kind, Kind::valid);
  EXPECT_EQ(leader.validate_fetch(Offset{6}, LeaderEpoch{4}).kind, Kind::valid);
  // The follower has records of epoch 2, which the leader never had.
  FetchPosition p = leader.validate_fetch(Offset{4}, LeaderEpoch{2});
  EXPECT_EQ(p.kind, Kind::diverging);
  EXPECT_EQ(p.at, (OffsetAndEpoch{Offset{2}, LeaderEpoch{1}}));
  // The follower has more records of epoch 3 than the leader.
  p = leader.validate_fetch(Offset{7}, LeaderEpoch{3});
  EXPECT_EQ(p.kind, Kind::diverging);
  EXPECT_EQ(p.at, (OffsetAndEpoch{Offset{5}, LeaderEpoch{3}}));
}

TEST(RaftLog, TruncationOffsetTakesTheSmallerEndOfTheEpoch) {
  RaftLog follower = log_of({1, 1, 1, 2, 2, 2});
  EXPECT_EQ(follower.truncation_offset({Offset{2}, LeaderEpoch{1}}), Offset{2});
  EXPECT_EQ(follower.truncation_offset({Offset{10}, LeaderEpoch{1}}), Offset{3});
  EXPECT_EQ(follower.truncation_offset({Offset{10}, LeaderEpoch{0}}), Offset{0});
}

TEST(RaftLog, TrimPrefixKeepsTheEpochRunningAcrossTheSnapshot) {
  RaftLog log = log_of({1, 1, 3, 3, 3, 4});
  log.trim_prefix({Offset{3}, LeaderEpoch{3}});
  EXPECT_EQ(log.start_offset(), Offset{3});
  EXPECT_EQ(log.end_offset(), Offset{6});
  EXPECT_EQ(log.at(Offset{3}).epoch, LeaderEpoch{3});
  // Epoch 1 ended below the start and is gone; epoch 3 now starts at the snapshot's end.
  ASSERT_EQ(log.epochs().size(), 2u);
  EXPECT_EQ(log.epochs()[0].epoch, LeaderEpoch{3});
  EXPECT_EQ(log.epochs()[0].start_offset, Offset{3});
  EXPECT_EQ(log.end_offset_for_epoch(LeaderEpoch{3}), (OffsetAndEpoch{Offset{5}, LeaderEpoch{3}}));
  EXPECT_EQ(log.end_offset_for_epoch(LeaderEpoch{2}), (OffsetAndEpoch{Offset{3}, LeaderEpoch{3}}));
  // Up to the end: the log is empty and continues the snapshot.
  log.trim_prefix({Offset{6}, LeaderEpoch{4}});
  EXPECT_TRUE(log.empty());
  EXPECT_TRUE(log.epochs().empty());
  EXPECT_EQ(log.end_offset_and_epoch(), (OffsetAndEpoch{Offset{6}, LeaderEpoch{4}}));
  log.append({Offset{6}, LeaderEpoch{5}, EntryType::data, "x"});
  EXPECT_EQ(log.end_offset_for_epoch(LeaderEpoch{4}), (OffsetAndEpoch{Offset{6}, LeaderEpoch{4}}));
}

TEST(RaftLog, TrimPrefixAtAnEpochBoundaryDropsTheEndedEpoch) {
  RaftLog log = log_of({1, 1, 3, 3});
  log.trim_prefix({Offset{2}, LeaderEpoch{1}});
  ASSERT_EQ(log.epochs().size(), 1u);
  EXPECT_EQ(log.epochs()[0].epoch, LeaderEpoch{3});
  EXPECT_EQ(log.last_epoch(), LeaderEpoch{3});
}

TEST(RaftLog, ValidateFetchBelowOrAroundTheSnapshotAnswersTheSnapshot) {
  RaftLog leader = log_of({1, 1, 3, 3, 3, 4});
  leader.trim_prefix({Offset{3}, LeaderEpoch{3}});
  using Kind = FetchPosition::Kind;
  const OffsetAndEpoch snapshot{Offset{3}, LeaderEpoch{3}};
  EXPECT_EQ(leader.validate_fetch(Offset{0}, LeaderEpoch{0}).kind, Kind::snapshot);
  EXPECT_EQ(leader.validate_fetch(Offset{2}, LeaderEpoch{1}).at, snapshot);
  EXPECT_EQ(leader.validate_fetch(Offset{3}, LeaderEpoch{2}).kind, Kind::snapshot);  // at the start, another epoch
  EXPECT_EQ(leader.validate_fetch(Offset{5}, LeaderEpoch{2}).kind, Kind::snapshot);  // older than the snapshot
  EXPECT_EQ(leader.validate_fetch(Offset{3}, LeaderEpoch{3}).kind, Kind::valid);
  EXPECT_EQ(leader.validate_fetch(Offset{5}, LeaderEpoch{3}).kind, Kind::valid);
  EXPECT_EQ(leader.validate_fetch(Offset{6}, LeaderEpoch{3}).kind, Kind::diverging);
}

TEST(RaftLog, ResetToASnapshotEmptiesTheLog) {
  RaftLog log = log_of({1, 2, 2});
  log.reset_to({Offset{40}, LeaderEpoch{7}});
  EXPECT_TRUE(log.empty());
  EXPECT_EQ(log.end_offset_and_epoch(), (OffsetAndEpoch{Offset{40}, LeaderEpoch{7}}));
  EXPECT_EQ(log.validate_fetch(Offset{40}, LeaderEpoch{7}).kind, FetchPosition::Kind::valid);
}

}  // namespace
}  // namespace runnel::raft
