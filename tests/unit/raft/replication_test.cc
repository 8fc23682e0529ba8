// Replication: divergence and truncation, the high watermark rules, check-quorum, Kafka's
// errors on Fetch, DescribeQuorum.

#include <gtest/gtest.h>

#include "broker/raft/leader_state.h"
#include "test_cluster.h"

namespace runnel::raft {
namespace {

using test::records_in;
using test::TestCluster;
using RaftCheckQuorum = test::ThreeVoters;
using RaftDescribeQuorum = test::ThreeVoters;
using RaftFetch = test::ThreeVoters;
using RaftFollowerAck = test::ThreeVoters;
using RaftPropose = test::ThreeVoters;
using RaftRestart = test::ThreeVoters;

DurableState state(int epoch, std::vector<Entry> entries) {
  return DurableState{.quorum = {LeaderEpoch{epoch}, NodeId{-1}, NodeId{-1}}, .entries = std::move(entries)};
}

TEST(RaftReplication, DivergentFollowerTruncatesToTheLeadersEpochEnd) {
  // Node 0 has records of epoch 3 that node 1 never saw; node 1 has records of epoch 2 that
  // node 0 never saw. Node 0 is elected (node 1 is away), then node 1 comes back.
  TestCluster c(3, {state(3, records_in({1, 1, 1, 3, 3})), state(3, records_in({1, 1, 1, 2, 2, 2})),
                    state(3, records_in({1, 1, 1}))});
  c.cut(1);
  ASSERT_EQ(c.run_until_leader(), 0);
  c.run(200);
  c.cut(1, false);
  c.run(3000);  // node 1 learns of the new epoch from its next pre-vote round's answers
  const RaftLog& leader = c.node(0).log();
  const RaftLog& follower = c.node(1).log();
  ASSERT_EQ(follower.end_offset(), leader.end_offset());
  for (Offset o{0}; o < leader.end_offset(); o = Offset{o.value() + 1}) {
    EXPECT_EQ(follower.at(o), leader.at(o)) << "offset " << o.value();
  }
  // It truncated its epoch-2 records (offset 3 on) on the leader's diverging-epoch answer.
  bool diverged = false;
  for (const auto& [env, r] : c.sent_of<FetchResponse>()) {
    if (env.destination == NodeId{1} && r.diverging_epoch) {
      diverged = true;
      EXPECT_EQ(*r.diverging_epoch, (OffsetAndEpoch{Offset{3}, LeaderEpoch{1}}));
    }
  }
  EXPECT_TRUE(diverged);
  EXPECT_EQ(c.node(1).high_watermark(), c.node(0).high_watermark());
}

TEST(RaftHighWatermark, OnlyAnOffsetInTheLeadersEpochCommits) {
  // Voters 0, 1, 2; the leader's epoch starts at offset 3 (its LeaderChange record).
  LeaderState s(NodeId{0}, {NodeId{0}, NodeId{1}, NodeId{2}}, LeaderEpoch{2}, Offset{3}, 0, 3000);
  s.set_local_end_offset(Offset{4}, 0);
  s.on_valid_fetch(NodeId{1}, Offset{3}, Offset{4}, 0);
  EXPECT_EQ(s.majority_end_offset(), std::nullopt) << "a majority holds only older epochs' records";
  s.on_valid_fetch(NodeId{1}, Offset{4}, Offset{4}, 0);
  EXPECT_EQ(s.majority_end_offset(), Offset{4});
  // A reordered, older fetch does not lower what the follower is known to hold.
  s.on_valid_fetch(NodeId{1}, Offset{3}, Offset{4}, 0);
  EXPECT_EQ(s.majority_end_offset(), Offset{4});
}

TEST(RaftHighWatermark, LeaderCountsItsDurableEndOnly) {
  TestCluster c(1);
  ASSERT_EQ(c.run_until_leader(), 0);
  EXPECT_EQ(c.node(0).high_watermark(), Offset{1});
  c.manual_persistence(0);
  auto range = c.node(0).propose(c.now(), {"a", "b"});
  ASSERT_TRUE(range);
  EXPECT_EQ(range->first, Offset{1});
  EXPECT_EQ(range->last, Offset{2});
  c.settle();
  EXPECT_EQ(c.node(0).high_watermark(), Offset{1}) << "records not yet flushed do not count";
  c.persist(0);
  EXPECT_EQ(c.node(0).high_watermark(), Offset{3});
  Ready ready = c.node(0).take_ready();
  EXPECT_EQ(ready.high_watermark, std::nullopt) << "taken by the harness already";
}

TEST_F(RaftFollowerAck, OnlyDurableRecordsAreAcknowledged) {
  int f1 = c.other(leader, 1);
  int f2 = c.other(leader, 2);
  c.manual_persistence(f1);
  c.manual_persistence(f2);
  ASSERT_TRUE(c.node(leader).propose(c.now(), {"x"}));
  c.run(100);
  EXPECT_EQ(c.node(f1).log().end_offset(), Offset{2}) << "the follower has the record in memory";
  EXPECT_EQ(c.node(leader).high_watermark(), Offset{1}) << "but has not acknowledged it";
  c.persist(f1);
  c.run(100);
  EXPECT_EQ(c.node(leader).high_watermark(), Offset{2});
  EXPECT_EQ(c.node(f1).high_watermark(), Offset{2});
}

TEST_F(RaftCheckQuorum, LeaderCutOffFromTheQuorumResigns) {
  LeaderEpoch epoch = c.node(leader).epoch();
  c.cut(leader);
  // Check-quorum allows 1.5 fetch timeouts (3 s) since the followers' last fetches, which a
  // long poll may have parked up to 500 ms before the cut.
  c.run(2400);
  EXPECT_EQ(c.node(leader).role(), Role::leader) << "still within 1.5 fetch timeouts";
  c.run(700);
  EXPECT_EQ(c.node(leader).role(), Role::resigned);
  bool told = false;
  for (const auto& [env, r] : c.sent_of<EndQuorumEpochRequest>()) told |= env.source == NodeId{leader} && r.leader_epoch == epoch;
  EXPECT_TRUE(told) << "a resigning leader sends EndQuorumEpoch";
  // The others elect a leader of a later epoch; the old one follows it once back.
  c.run(4000);
  int next = c.leader();
  ASSERT_GE(next, 0);
  EXPECT_NE(next, leader);
  c.cut(leader, false);
  c.run(3000);
  EXPECT_TRUE(test::follows(c, leader, next));
}

TEST_F(RaftCheckQuorum, GracefulStepDownHandsOverBeforeTheFetchTimeout) {
  LeaderEpoch epoch = c.node(leader).epoch();
  c.node(leader).step_down(c.now());
  c.settle();
  EXPECT_EQ(c.node(leader).role(), Role::resigned);
  int64_t resigned_at = c.now();
  int next = -1;
  while (next < 0 && c.now() - resigned_at < 5000) {
    c.run(test::kTickMs);
    next = c.leader();
  }
  ASSERT_GE(next, 0);
  EXPECT_GT(c.node(next).epoch(), epoch);
  // The followers stood at once, in the order the leader preferred, instead of waiting out
  // their fetch timeout (2 s).
  EXPECT_LT(c.now() - resigned_at, 2000);
}

FetchResponse fetch_answer(Replica& r, FetchRequest request, NodeId from, int64_t now_ms) {
  r.receive(now_ms, Envelope{from, r.node_id(), request});
  Ready ready = r.take_ready();
  for (const auto& m : ready.messages) {
    if (const auto* f = std::get_if<FetchResponse>(&m.message)) return *f;
  }
  ADD_FAILURE() << "no FetchResponse";
  return {};
}

TEST_F(RaftFetch, ErrorsAreKafkas) {
  int follower = c.other(leader, 1);
  int other = c.other(leader, 2);
  int32_t epoch = c.node(leader).epoch().value();
  FetchRequest request{"test-cluster", NodeId{other}, LeaderEpoch{epoch - 1}, Offset{0}, LeaderEpoch{0}, 0};
  EXPECT_EQ(fetch_answer(c.node(leader), request, NodeId{other}, c.now()).error, ErrorCode::fenced_leader_epoch);
  request.current_leader_epoch = LeaderEpoch{epoch + 1};
  EXPECT_EQ(fetch_answer(c.node(leader), request, NodeId{other}, c.now()).error, ErrorCode::unknown_leader_epoch);
  request.current_leader_epoch = LeaderEpoch{epoch};
  FetchResponse not_leader = fetch_answer(c.node(follower), request, NodeId{other}, c.now());
  EXPECT_EQ(not_leader.error, ErrorCode::not_leader_or_follower);
  EXPECT_EQ(not_leader.current_leader.leader_id, NodeId{leader});
  request.cluster_id = "another-cluster";
  EXPECT_EQ(fetch_answer(c.node(leader), request, NodeId{other}, c.now()).error, ErrorCode::inconsistent_cluster_id);
}

TEST_F(RaftFetch, RecordsThatDoNotContinueTheLogAreDropped) {
  Replica& f = c.node(c.other(leader, 1));
  Offset end = f.log().end_offset();
  FetchResponse broken{.high_watermark = Offset{5},
                       .current_leader = {NodeId{leader}, f.epoch()},
                       .records = {Entry{Offset{end.value() + 1}, f.epoch(), EntryType::data, "gap"}},
                       .fetch_offset = end,
                       .last_fetched_epoch = f.log().last_epoch()};
  f.receive(c.now(), Envelope{NodeId{leader}, f.node_id(), broken});
  EXPECT_EQ(f.log().end_offset(), end);
  EXPECT_EQ(f.high_watermark(), Offset{1}) << "nothing from a broken answer is taken";
  // A message claiming to come from the node itself is dropped, not answered.
  f.receive(c.now(), Envelope{f.node_id(), f.node_id(), FetchRequest{"test-cluster", f.node_id(), f.epoch()}});
  EXPECT_TRUE(f.take_ready().messages.empty());
}

TEST_F(RaftPropose, FollowerRefusesWithTheLeaderToAsk) {
  auto r = c.node(c.other(leader, 1)).propose(c.now(), {"x"});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().error, ErrorCode::not_leader_or_follower);
  EXPECT_EQ(r.error().leader_hint, NodeId{leader});
}

TEST_F(RaftDescribeQuorum, LeaderReportsEachVoter) {
  ASSERT_TRUE(c.node(leader).propose(c.now(), {"x", "y"}));
  c.run(300);
  auto d = c.node(leader).describe_quorum();
  ASSERT_TRUE(d);
  EXPECT_EQ(d->leader_id, NodeId{leader});
  EXPECT_EQ(d->high_watermark, Offset{3});
  ASSERT_EQ(d->current_voters.size(), 3u);
  for (const auto& v : d->current_voters) EXPECT_EQ(v.log_end_offset, Offset{3}) << "voter " << v.replica_id.value();
  EXPECT_TRUE(d->observers.empty());
  EXPECT_FALSE(c.node(c.other(leader, 1)).describe_quorum());
}

TEST_F(RaftRestart, ALeaderThatRestartsStepsDownAndTheQuorumMovesOn) {
  ASSERT_TRUE(c.node(leader).propose(c.now(), {"x"}));
  c.run(300);
  LeaderEpoch epoch = c.node(leader).epoch();
  c.start(leader);  // kill -9 and restart from its disk
  EXPECT_EQ(c.node(leader).role(), Role::resigned);
  c.run(8000);
  int next = c.leader();
  ASSERT_GE(next, 0);
  EXPECT_GT(c.node(next).epoch(), epoch);
  for (int i = 0; i < 3; ++i) EXPECT_GE(c.node(i).high_watermark(), Offset{2}) << "node " << i;
}

// A leader that steps down gracefully answers the fetch it had parked after its EndQuorumEpoch,
// without naming itself (it no longer leads). The follower must not take that answer as contact
// with a live leader: it was asked to stand at once, and a pre-vote must be granted.
// Node 2 follows leader 1, which resigns (EndQuorumEpoch); then a fetch answer from node 1 that
// names `named` as leader arrives late. Whether node 2 still grants node 3 a pre-vote.
bool pre_vote_granted_after_a_late_answer(NodeId named) {
  RaftConfig config;
  config.node_id = NodeId{2};
  config.voters = {NodeId{1}, NodeId{2}, NodeId{3}};
  config.cluster_id = "c";
  Replica r(config, DurableState{}, 0, 1);
  auto drain = [&r]() {
    Ready ready = r.take_ready();
    if (!ready.persist.empty()) r.on_persisted(ready.persist.back().seq);
    Ready more = r.take_ready();
    ready.messages.insert(ready.messages.end(), more.messages.begin(), more.messages.end());
    return ready.messages;
  };
  int64_t now = 0;
  std::optional<FetchRequest> fetch;
  auto take_fetch = [&fetch](const std::vector<Envelope>& sent) {
    for (const Envelope& e : sent) {
      if (const auto* f = std::get_if<FetchRequest>(&e.message)) fetch = *f;
    }
  };
  r.receive(now, Envelope{NodeId{1}, NodeId{2}, BeginQuorumEpochRequest{"c", NodeId{1}, LeaderEpoch{1}}});
  take_fetch(drain());
  EXPECT_EQ(r.role(), Role::follower);
  now += 10;
  r.tick(now);
  take_fetch(drain());
  EXPECT_TRUE(fetch.has_value()) << "the follower fetches from its leader";
  if (!fetch) return false;
  now += 10;
  r.receive(now, Envelope{NodeId{1}, NodeId{2}, EndQuorumEpochRequest{"c", NodeId{1}, LeaderEpoch{1}, {NodeId{3}, NodeId{2}}}});
  drain();
  FetchResponse late;
  late.high_watermark = Offset{0};
  late.current_leader = LeaderIdAndEpoch{named, LeaderEpoch{1}};
  late.fetch_offset = fetch->fetch_offset;
  late.last_fetched_epoch = fetch->last_fetched_epoch;
  now += 10;
  r.receive(now, Envelope{NodeId{1}, NodeId{2}, late});
  drain();
  now += 10;
  r.receive(now, Envelope{NodeId{3}, NodeId{2}, VoteRequest{"c", LeaderEpoch{2}, NodeId{3}, LeaderEpoch{0}, Offset{0}, true}});
  bool granted = false;
  for (const Envelope& e : drain()) {
    if (const auto* v = std::get_if<VoteResponse>(&e.message)) granted = v->vote_granted;
  }
  return granted;
}

TEST(RaftHandOver, AResignedLeadersLateFetchAnswerIsNotContact) {
  // The answer of the resigned leader names no leader.
  EXPECT_TRUE(pre_vote_granted_after_a_late_answer(NodeId{-1}))
      << "a pre-vote refused: the resigned leader's late answer counted as a live leader";
}

TEST(RaftHandOver, AnAnswerSentBeforeTheResignationIsNotContactEither) {
  // Sent while it still led (it names itself), overtaken by EndQuorumEpoch on another connection.
  EXPECT_TRUE(pre_vote_granted_after_a_late_answer(NodeId{1}))
      << "a pre-vote refused: an answer from before the resignation counted as a live leader";
}

}  // namespace
}  // namespace runnel::raft
