// Elections: one leader, the vote rules, durability before the answer, pre-vote.

#include <gtest/gtest.h>

#include "broker/raft/leader_change.h"
#include "test_cluster.h"

namespace runnel::raft {
namespace {

using test::TestCluster;
using RaftFirstElection = test::ThreeVoters;
using RaftPreVote = test::ThreeVoters;

DurableState state(int epoch, std::vector<Entry> entries) {
  return DurableState{.quorum = {LeaderEpoch{epoch}, NodeId{-1}, NodeId{-1}}, .entries = std::move(entries)};
}

VoteResponse answer_to(Replica& r, const VoteRequest& request, NodeId from, int64_t now_ms = 0) {
  r.receive(now_ms, Envelope{from, r.node_id(), request});
  Ready ready = r.take_ready();
  std::vector<Envelope> out = ready.messages;
  if (!ready.persist.empty()) r.on_persisted(ready.persist.back().seq);
  for (auto& m : r.take_ready().messages) out.push_back(m);
  for (const auto& m : out) {
    if (const auto* v = std::get_if<VoteResponse>(&m.message)) return *v;
  }
  ADD_FAILURE() << "no VoteResponse";
  return {};
}

VoteRequest vote(int epoch, int candidate, int last_epoch, int64_t last_offset, bool prevote = false) {
  return {"test-cluster", LeaderEpoch{epoch}, NodeId{candidate}, LeaderEpoch{last_epoch}, Offset{last_offset}, prevote};
}

TEST_F(RaftFirstElection, OneLeaderThatCommitsItsLeaderChange) {
  c.run(500);
  LeaderEpoch epoch = c.node(leader).epoch();
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(c.node(i).epoch(), epoch) << "node " << i;
    EXPECT_EQ(c.node(i).leader_id(), NodeId{leader}) << "node " << i;
    if (i != leader) {
      EXPECT_EQ(c.node(i).role(), Role::follower) << "node " << i;
    }
    EXPECT_EQ(c.node(i).high_watermark(), Offset{1}) << "node " << i;
    ASSERT_EQ(c.node(i).log().end_offset(), Offset{1});
    EXPECT_EQ(c.node(i).log().at(Offset{0}).type, EntryType::leader_change);
    // Kafka's LeaderChangeMessage: the leader, the voters, and a majority that granted.
    std::optional<LeaderChange> change = decode_leader_change(c.node(i).log().at(Offset{0}).payload);
    ASSERT_TRUE(change) << "node " << i;
    EXPECT_EQ(change->leader_id, NodeId{leader});
    EXPECT_EQ(change->voters.size(), 3u);
    EXPECT_GE(change->granting_voters.size(), 2u);
    EXPECT_EQ(change->granting_voters.front(), NodeId{leader});
  }
  // The first election: nobody had an epoch yet, and pre-votes kept it at one bump.
  EXPECT_EQ(epoch, LeaderEpoch{1});
}

TEST(RaftElection, VoteRefusedToACandidateWithAnOlderLog) {
  TestCluster c(3, {state(2, test::records_in({1, 2, 2, 2, 2}))});
  Replica& r = c.node(0);
  // Longer, but its last record is of an older epoch: refused, and the epoch is taken anyway.
  VoteResponse refused = answer_to(r, vote(3, 1, 1, 10), NodeId{1});
  EXPECT_FALSE(refused.vote_granted);
  EXPECT_EQ(r.epoch(), LeaderEpoch{3});
  // Same last epoch but shorter: refused.
  EXPECT_FALSE(answer_to(r, vote(3, 2, 2, 4), NodeId{2}).vote_granted);
  // As up to date: granted.
  EXPECT_TRUE(answer_to(r, vote(3, 2, 2, 5), NodeId{2}).vote_granted);
  EXPECT_EQ(r.voted_for(), NodeId{2});
}

TEST(RaftElection, OneVotePerEpoch) {
  TestCluster c(3);
  Replica& r = c.node(0);
  EXPECT_TRUE(answer_to(r, vote(1, 1, 0, 0), NodeId{1}).vote_granted);
  EXPECT_TRUE(answer_to(r, vote(1, 1, 0, 0), NodeId{1}).vote_granted) << "a repeated request gets the same answer";
  EXPECT_FALSE(answer_to(r, vote(1, 2, 0, 0), NodeId{2}).vote_granted);
  VoteResponse fenced = answer_to(r, vote(0, 2, 0, 0), NodeId{2});
  EXPECT_EQ(fenced.error, ErrorCode::fenced_leader_epoch);
  EXPECT_EQ(fenced.leader_epoch, LeaderEpoch{1});
}

TEST(RaftElection, VoteLeavesOnlyOnceVotedForIsDurable) {
  TestCluster c(3);
  Replica& r = c.node(0);
  r.receive(0, Envelope{NodeId{1}, NodeId{0}, vote(1, 1, 0, 0)});
  Ready ready = r.take_ready();
  EXPECT_TRUE(ready.messages.empty()) << "the grant must wait for the quorum-state write";
  // Entering epoch 1, then the vote in it: the last write holds the vote.
  ASSERT_FALSE(ready.persist.empty());
  const auto* write = std::get_if<WriteQuorumState>(&ready.persist.back().op);
  ASSERT_NE(write, nullptr);
  EXPECT_EQ(write->state, (QuorumStateData{LeaderEpoch{1}, NodeId{1}, NodeId{-1}}));
  r.on_persisted(ready.persist.front().seq);
  EXPECT_TRUE(r.take_ready().messages.empty()) << "the epoch alone is durable, the vote is not";
  r.on_persisted(ready.persist.back().seq);
  ready = r.take_ready();
  ASSERT_EQ(ready.messages.size(), 1u);
  EXPECT_TRUE(std::get<VoteResponse>(ready.messages[0].message).vote_granted);
}

TEST(RaftElection, WrongClusterIdIsRefused) {
  TestCluster c(3);
  VoteRequest request = vote(1, 1, 0, 0);
  request.cluster_id = "another-cluster";
  VoteResponse response = answer_to(c.node(0), request, NodeId{1});
  EXPECT_EQ(response.error, ErrorCode::inconsistent_cluster_id);
  EXPECT_FALSE(response.vote_granted);
  EXPECT_EQ(c.node(0).epoch(), LeaderEpoch{0});
}

TEST(RaftElection, PreVoteChangesNoState) {
  TestCluster c(3);
  Replica& r = c.node(0);
  VoteResponse response = answer_to(r, vote(5, 1, 0, 0, /*prevote=*/true), NodeId{1});
  EXPECT_TRUE(response.vote_granted);
  EXPECT_TRUE(response.prevote);
  EXPECT_EQ(r.epoch(), LeaderEpoch{0});
  EXPECT_EQ(r.voted_for(), NodeId{-1});
  EXPECT_TRUE(r.take_ready().persist.empty());
}

TEST_F(RaftPreVote, RejoiningNodeDoesNotDisruptAHealthyLeader) {
  LeaderEpoch epoch = c.node(leader).epoch();
  int away = c.other(leader, 1);
  c.cut(away);
  c.run(6000);  // well past its fetch timeout: it asks for pre-votes nobody receives
  EXPECT_EQ(c.node(away).role(), Role::prospective);
  EXPECT_EQ(c.node(away).epoch(), epoch) << "no pre-vote majority, no epoch bump";
  c.cut(away, false);
  c.run(3000);
  EXPECT_EQ(c.leader(), leader);
  EXPECT_EQ(c.node(leader).epoch(), epoch) << "the healthy leader was not deposed";
  EXPECT_TRUE(test::follows(c, away, leader));
}

TEST_F(RaftPreVote, FollowerOfALiveLeaderRefusesPreVotes) {
  int follower = c.other(leader, 1);
  int other = c.other(leader, 2);
  const Replica& f = c.node(follower);
  VoteRequest request = vote(f.epoch().value() + 1, other, f.log().last_epoch().value(),
                             f.log().end_offset().value(), /*prevote=*/true);
  VoteResponse response = answer_to(c.node(follower), request, NodeId{other}, c.now());
  EXPECT_FALSE(response.vote_granted);
  EXPECT_EQ(response.leader_id, NodeId{leader}) << "the answer sends the asker back to the leader";
}

TEST(RaftElection, NewLeaderWithinAFewElectionTimeoutsOfLosingOne) {
  TestCluster c(5);
  int leader = c.run_until_leader();
  ASSERT_GE(leader, 0);
  c.run(500);
  c.cut(leader);
  int64_t lost_at = c.now();
  int next = -1;
  while (c.now() - lost_at < 20'000) {
    c.run(test::kTickMs);
    int l = c.leader();
    if (l >= 0 && l != leader) {
      next = l;
      break;
    }
  }
  ASSERT_GE(next, 0);
  // The followers notice after the fetch timeout (2 s), then pre-vote and vote: with 1 s
  // election timeouts plus jitter that is at most a few election timeouts more.
  EXPECT_LE(c.now() - lost_at, 2000 + 3 * 2000);
}

// A refused connection to the leader (its process is gone: the owner's transport reports it)
// lets the followers elect a successor at once instead of after the fetch timeout.
TEST_F(RaftPreVote, RefusedConnectionsToADeadLeaderElectASuccessorAtOnce) {
  const LeaderEpoch old_epoch = c.node(leader).epoch();
  c.cut(leader);
  const int64_t lost_at = c.now();
  for (int k : {1, 2}) c.node(c.other(leader, k)).peer_unreachable(c.now(), NodeId{leader}, /*refused=*/true);
  c.settle();
  int next = -1;
  while (c.now() - lost_at < 2000) {
    c.run(test::kTickMs);
    next = c.leader();
    if (next >= 0 && next != leader && c.node(next).epoch() > old_epoch) break;
  }
  ASSERT_TRUE(next >= 0 && next != leader) << "no successor";
  // Well inside the fetch timeout (2000 ms) that would otherwise bound it.
  EXPECT_LE(c.now() - lost_at, 300);
}

// One follower's refused connection is only a hint: the other still hears from the leader and
// refuses its pre-vote, so a healthy leader keeps its epoch.
TEST_F(RaftPreVote, OneFollowersRefusedConnectionDoesNotDeposeAHealthyLeader) {
  const LeaderEpoch epoch = c.node(leader).epoch();
  const int f = c.other(leader, 1);
  c.node(f).peer_unreachable(c.now(), NodeId{leader}, /*refused=*/true);
  c.run(3000);
  EXPECT_EQ(c.leader(), leader);
  EXPECT_EQ(c.node(leader).epoch(), epoch);
  EXPECT_TRUE(test::follows(c, f, leader));
}

}  // namespace
}  // namespace runnel::raft
