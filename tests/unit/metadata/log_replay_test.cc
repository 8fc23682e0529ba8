// metadata::replay_committed: the applier every node runs on committed records (and the
// controller simulation runs too).

#include "broker/metadata/log_replay.h"

#include <gtest/gtest.h>

#include "broker/metadata/record_codec.h"
#include "broker/raft/log.h"
#include "test_records.h"

namespace runnel::metadata {
namespace {

using test::broker;
using test::uuid_of;

raft::Entry data(int64_t offset, const Record& r) {
  std::vector<uint8_t> bytes = encode(r);
  return {Offset{offset}, LeaderEpoch{1}, raft::EntryType::data, std::string(bytes.begin(), bytes.end())};
}

raft::Entry leader_change(int64_t offset) { return {Offset{offset}, LeaderEpoch{1}, raft::EntryType::leader_change, "lc"}; }

TEST(LogReplay, AppliesDataRecordsAndSkipsControlRecords) {
  raft::RaftLog log;
  log.append(leader_change(0));
  log.append(data(1, broker(1)));
  log.append(data(2, TopicRecord{"orders", uuid_of(7)}));
  Replay r = replay_committed(Image{}, log, Offset{0}, Offset{3});
  EXPECT_TRUE(r.changed);
  EXPECT_EQ(r.applied, Offset{3});
  EXPECT_TRUE(r.refused.empty());
  EXPECT_FALSE(r.undecodable);
  EXPECT_NE(r.image.broker(NodeId{1}), nullptr);
  ASSERT_NE(r.image.topic("orders"), nullptr);
  EXPECT_EQ(r.image.highest_offset(), Offset{2});
  // In two steps, the same image.
  Replay first = replay_committed(Image{}, log, Offset{0}, Offset{2});
  Replay second = replay_committed(first.image, log, Offset{2}, Offset{3});
  EXPECT_EQ(second.image, r.image);
}

TEST(LogReplay, OnlyControlRecordsChangeNothing) {
  raft::RaftLog log;
  log.append(leader_change(0));
  Replay r = replay_committed(Image{}, log, Offset{0}, Offset{1});
  EXPECT_FALSE(r.changed);
  EXPECT_EQ(r.applied, Offset{1});
  EXPECT_EQ(r.image, Image{});
}

TEST(LogReplay, ARefusedRecordIsReportedAndReplayGoesOn) {
  raft::RaftLog log;
  log.append(data(0, TopicRecord{"orders", uuid_of(7)}));
  log.append(data(1, TopicRecord{"orders", uuid_of(8)}));  // duplicate name: refused
  log.append(data(2, broker(1)));
  Replay r = replay_committed(Image{}, log, Offset{0}, Offset{3});
  ASSERT_EQ(r.refused.size(), 1u);
  EXPECT_EQ(r.refused[0].offset, Offset{1});
  EXPECT_EQ(r.applied, Offset{3});
  EXPECT_EQ(r.image.topic("orders")->id, uuid_of(7));
  EXPECT_NE(r.image.broker(NodeId{1}), nullptr);
}

TEST(LogReplay, AnUndecodableRecordStopsReplayBeforeIt) {
  raft::RaftLog log;
  log.append(data(0, broker(1)));
  log.append({Offset{1}, LeaderEpoch{1}, raft::EntryType::data, std::string("\xff\xff\x01", 3)});
  log.append(data(2, broker(2)));
  Replay r = replay_committed(Image{}, log, Offset{0}, Offset{3});
  ASSERT_TRUE(r.undecodable);
  EXPECT_EQ(r.undecodable->offset, Offset{1});
  // The caller stays before it: nothing after an unreadable record is applied.
  EXPECT_EQ(r.applied, Offset{1});
  EXPECT_NE(r.image.broker(NodeId{1}), nullptr);
  EXPECT_EQ(r.image.broker(NodeId{2}), nullptr);
}

}  // namespace
}  // namespace runnel::metadata
