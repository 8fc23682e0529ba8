// Dynamic voters (KIP-853) in the core: the voter set along the log, AddRaftVoter,
// RemoveRaftVoter and UpdateRaftVoter on the leader, with Kafka's errors; the voters record and
// the snapshot envelope on the wire. The simulation (simulation_test.cc) runs the same under faults.

#include <gtest/gtest.h>

#include "broker/raft/snapshot_envelope.h"
#include "broker/raft/wire_records.h"
#include "test_cluster.h"

namespace runnel::raft::test {
namespace {

AddVoterRequest add(int i) { return AddVoterRequest{"test-cluster", 5000, TestCluster::identity(i)}; }
RemoveVoterRequest remove_voter(int i) { return RemoveVoterRequest{"test-cluster", NodeId{i}, TestCluster::directory_of(i)}; }

// One bootstrap voter (node 0, formatted --standalone) and two nodes formatted
// --no-initial-controllers, which follow node 0 as observers.
class DynamicQuorum : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(c.settled_leader(), 0);
    c.run(500);
  }

  ErrorCode last_answer() const { return c.admin_answers().empty() ? ErrorCode::unknown_server_error : c.admin_answers().back().error; }

  TestCluster c{3, {}, 1};
};

TEST_F(DynamicQuorum, TheFirstLeaderRecordsItsVotersAndObserversLearnThem) {
  const RaftLog& log = c.node(0).log();
  ASSERT_GE(log.end_offset().value(), 3);
  EXPECT_EQ(log.at(Offset{0}).type, EntryType::leader_change);
  EXPECT_EQ(log.at(Offset{1}).type, EntryType::kraft_version);
  EXPECT_EQ(decode_kraft_version(log.at(Offset{1}).payload), std::optional<int16_t>(1));
  ASSERT_EQ(log.at(Offset{2}).type, EntryType::voters);
  EXPECT_EQ(decode_voters(log.at(Offset{2}).payload)->ids(), std::vector<NodeId>{NodeId{0}});
  for (int i : {1, 2}) {
    EXPECT_TRUE(follows(c, i, 0));
    EXPECT_FALSE(c.node(i).is_voter());
    EXPECT_EQ(c.node(i).voters().ids(), std::vector<NodeId>{NodeId{0}}) << "node " << i;
  }
}

TEST_F(DynamicQuorum, AddedObserversBecomeVotersOnceCommitted) {
  c.admin(0, add(1));
  ASSERT_EQ(last_answer(), ErrorCode::none);
  c.admin(0, add(2));
  ASSERT_EQ(last_answer(), ErrorCode::none);
  c.run(300);
  for (int i : {0, 1, 2}) {
    EXPECT_EQ(c.node(i).voters().ids(), (std::vector<NodeId>{NodeId{0}, NodeId{1}, NodeId{2}})) << "node " << i;
    EXPECT_TRUE(c.node(i).is_voter()) << "node " << i;
  }
  // A real quorum of three now: node 0 cut off, the other two elect one of them.
  c.cut(0);
  c.run(8000);
  int l = c.leader();
  EXPECT_TRUE(l == 1 || l == 2) << "leader " << l;
}

TEST_F(DynamicQuorum, KafkasRefusals) {
  c.admin(0, add(0));
  EXPECT_EQ(last_answer(), ErrorCode::duplicate_voter);
  c.admin(1, add(1));
  EXPECT_EQ(last_answer(), ErrorCode::not_leader_or_follower);
  c.admin(0, remove_voter(2));
  EXPECT_EQ(last_answer(), ErrorCode::voter_not_found);
  c.admin(0, remove_voter(0));  // the last voter stays
  EXPECT_EQ(last_answer(), ErrorCode::voter_not_found);
  AddVoterRequest no_directory = add(1);
  no_directory.voter.directory_id = Uuid{};
  c.admin(0, no_directory);
  EXPECT_EQ(last_answer(), ErrorCode::invalid_request);
  AddVoterRequest other_listener = add(1);
  other_listener.voter.endpoints = {{"PLAINTEXT", "node1", 9092}};
  c.admin(0, other_listener);
  EXPECT_EQ(last_answer(), ErrorCode::invalid_request);
  c.admin(0, AddVoterRequest{"another-cluster", 5000, TestCluster::identity(1)});
  EXPECT_EQ(last_answer(), ErrorCode::inconsistent_cluster_id);
  // An observer that stopped fetching is not caught up.
  c.cut(2);
  c.run(3000);
  c.admin(0, add(2));
  EXPECT_EQ(last_answer(), ErrorCode::request_timed_out);
  EXPECT_NE(c.admin_answers().back().message.find("lagging behind"), std::string::npos);
}

TEST_F(DynamicQuorum, OneChangeAtATime) {
  // Node 1's disk stops: the change that adds it cannot commit (the new set needs its copy).
  c.manual_persistence(1);
  c.admin(0, add(1));
  EXPECT_TRUE(c.admin_answers().empty()) << "answered before the change committed";
  c.admin(0, add(2));
  ASSERT_EQ(c.admin_answers().size(), 1u);
  EXPECT_EQ(c.admin_answers().back().error, ErrorCode::request_timed_out);
  EXPECT_EQ(c.admin_answers().back().message, "Request timed out waiting for leader to handle previous voter change request");
  c.manual_persistence(1, false);
  c.persist(1);
  c.run(300);
  ASSERT_EQ(c.admin_answers().size(), 2u);
  EXPECT_EQ(c.admin_answers().back().error, ErrorCode::none);
}

TEST_F(DynamicQuorum, ALeaderThatRemovesItselfResignsOnceCommittedAndStaysAnObserver) {
  c.admin(0, add(1));
  c.admin(0, add(2));
  c.run(300);
  c.admin(0, remove_voter(0));
  c.run(100);
  ASSERT_FALSE(c.admin_answers().empty());
  EXPECT_EQ(c.admin_answers().back().error, ErrorCode::none);
  c.run(5000);
  int l = c.leader();
  EXPECT_TRUE(l == 1 || l == 2) << "leader " << l;
  EXPECT_FALSE(c.node(0).is_voter());
  EXPECT_NE(c.node(0).role(), Role::leader);
  EXPECT_EQ(c.node(l).voters().ids(), (std::vector<NodeId>{NodeId{1}, NodeId{2}}));
  c.run(3000);
  EXPECT_TRUE(follows(c, 0, l)) << "the removed node follows the new leader as an observer";
}

TEST_F(DynamicQuorum, UpdateRaftVoterRecordsNewEndpoints) {
  c.admin(0, add(1));
  c.run(300);
  UpdateVoterRequest u{"test-cluster", c.node(0).epoch(), TestCluster::identity(1)};
  u.voter.endpoints = {{"CONTROLLER", "moved", 19093}};
  c.node(0).receive(c.now(), Envelope{NodeId{1}, NodeId{0}, u});
  c.settle();
  const Voter* v = c.node(0).voters().find(NodeId{1});
  ASSERT_NE(v, nullptr);
  EXPECT_EQ(v->endpoints.front().host, "moved");
  // Node 1's own configuration still says node1:9093: it asks the leader to record that again.
  c.run(3000);
  EXPECT_EQ(c.node(0).voters().find(NodeId{1})->endpoints.front().host, "node1");
}

TEST(StaticQuorum, VoterChangesAreUnsupportedVersion) {
  TestCluster c{3};
  int l = c.settled_leader();
  ASSERT_GE(l, 0);
  c.node(l).receive(c.now(), Envelope{NodeId{-1000}, NodeId{l}, RemoveVoterRequest{"test-cluster", NodeId{1}, TestCluster::directory_of(1)}});
  c.settle();
  ASSERT_FALSE(c.admin_answers().empty());
  EXPECT_EQ(c.admin_answers().back().error, ErrorCode::unsupported_version);
}

TEST(VotersRecord, RoundTripsAndRefusesDuplicates) {
  VoterSet set({TestCluster::identity(2), TestCluster::identity(1)});
  EXPECT_EQ(set.ids(), (std::vector<NodeId>{NodeId{1}, NodeId{2}}));
  auto back = decode_voters(encode_voters(set));
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(*back, set);
  std::string payload = encode_voters(VoterSet({TestCluster::identity(1)}));
  EXPECT_FALSE(decode_voters(payload.substr(0, payload.size() - 1)).has_value());
  // Kafka's layout: int16 version 0, then the compact array (count + 1).
  EXPECT_EQ(payload[0], 0);
  EXPECT_EQ(payload[1], 0);
  EXPECT_EQ(payload[2], 2);
}

TEST(VotersRecord, TravelsAsKafkasControlRecords) {
  std::vector<Entry> entries{
      {Offset{0}, LeaderEpoch{1}, EntryType::leader_change, "lc"},
      {Offset{1}, LeaderEpoch{1}, EntryType::kraft_version, encode_kraft_version(1)},
      {Offset{2}, LeaderEpoch{1}, EntryType::voters, encode_voters(VoterSet({TestCluster::identity(0)}))},
      {Offset{3}, LeaderEpoch{1}, EntryType::data, "d"},
  };
  auto bytes = wire::encode_entries(entries, 0);
  auto back = wire::decode_entries(bytes);
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(*back, entries);
}

TEST(SnapshotEnvelope, CarriesTheVotersAndReadsOldSnapshots) {
  std::vector<uint8_t> state{'R', 'M', 'S', 'H', 1, 2, 3};
  VoterSet set({TestCluster::identity(0), TestCluster::identity(1)});
  SnapshotBytes wrapped = wrap_snapshot(set, state);
  auto contents = unwrap_snapshot(*wrapped);
  ASSERT_TRUE(contents.has_value());
  EXPECT_EQ(contents->voters, std::optional<VoterSet>(set));
  EXPECT_EQ(std::vector<uint8_t>(contents->state.begin(), contents->state.end()), state);
  auto none = unwrap_snapshot(*wrap_snapshot(std::nullopt, state));
  ASSERT_TRUE(none.has_value());
  EXPECT_FALSE(none->voters.has_value());
  // A snapshot from before the envelope is all state.
  auto legacy = unwrap_snapshot(state);
  ASSERT_TRUE(legacy.has_value());
  EXPECT_EQ(legacy->state.size(), state.size());
  // Cut short: refused, never read past the end.
  std::vector<uint8_t> cut(wrapped->begin(), wrapped->begin() + 12);
  EXPECT_FALSE(unwrap_snapshot(cut).has_value());
}

}  // namespace
}  // namespace runnel::raft::test
