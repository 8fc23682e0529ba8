#include <algorithm>

#include <gtest/gtest.h>

#include "tests/unit/group/fakes.h"

namespace runnel::group::testing {
namespace {

TEST(JoinGroup, MemberIdRequiredThenInitialDelayThenGeneration1) {
  Harness h;
  auto [id, join] = h.join_new("g");
  EXPECT_FALSE(join->has_value()) << "the first join waits for group.initial.rebalance.delay.ms";
  EXPECT_EQ(h.coord.group("g")->state, GroupState::preparing_rebalance);
  h.timers.advance(299);
  EXPECT_FALSE(join->has_value());
  h.timers.advance(1);
  ASSERT_TRUE(join->has_value());
  EXPECT_EQ((*join)->error, ErrorCode::none);
  EXPECT_EQ((*join)->generation, 1);
  EXPECT_EQ((*join)->leader, id);
  EXPECT_EQ((*join)->protocol_name, "range");
  ASSERT_EQ((*join)->members.size(), 1u);
  EXPECT_EQ(h.coord.group("g")->state, GroupState::completing_rebalance);

  h.journal.auto_complete = false;
  auto sync = h.sync("g", 1, id, {{id, bytes("A")}});
  EXPECT_FALSE(sync->has_value()) << "the assignment is answered once the group record is durable";
  h.journal.complete_all();
  ASSERT_TRUE(sync->has_value());
  EXPECT_EQ((*sync)->error, ErrorCode::none);
  EXPECT_EQ((*sync)->assignment, bytes("A"));
  EXPECT_EQ(h.coord.group("g")->state, GroupState::stable);
  EXPECT_EQ(h.coord.heartbeat("g", id, std::nullopt, 1), ErrorCode::none);
  EXPECT_EQ(h.coord.heartbeat("g", id, std::nullopt, 0), ErrorCode::illegal_generation);
  EXPECT_EQ(h.coord.heartbeat("g", "nobody", std::nullopt, 1), ErrorCode::unknown_member_id);
  EXPECT_EQ(h.coord.heartbeat("other", id, std::nullopt, 1), ErrorCode::unknown_member_id);
}

TEST(JoinGroup, Validation) {
  Harness h;
  auto r = Harness::join_req("g", "");
  r.session_timeout_ms = 10;
  EXPECT_EQ((*h.join(r))->error, ErrorCode::invalid_session_timeout);
  EXPECT_EQ((*h.join(Harness::join_req("", "")))->error, ErrorCode::invalid_group_id);
  EXPECT_EQ((*h.join(Harness::join_req("g", "ghost")))->error, ErrorCode::unknown_member_id);
  EXPECT_EQ(h.coord.group("g"), nullptr) << "refused joins leave no group behind";
  auto [id, join] = h.join_new("g");
  auto other = Harness::join_req("g", "");
  other.protocol_type = "connect";
  EXPECT_EQ((*h.join(other))->error, ErrorCode::inconsistent_group_protocol);
  auto disjoint = Harness::join_req("g", "");
  disjoint.protocols = {Protocol{"roundrobin", {}}};
  EXPECT_EQ((*h.join(disjoint))->error, ErrorCode::inconsistent_group_protocol);
}

// Brings a group with the given members to Stable; returns member ids in join order.
std::vector<std::string> stable_group(Harness& h, const std::string& g, int n) {
  std::vector<std::string> ids;
  std::vector<std::shared_ptr<std::optional<JoinResult>>> joins;
  for (int i = 0; i < n; ++i) {
    auto [id, j] = h.join_new(g);
    ids.push_back(id);
    joins.push_back(j);
  }
  // Each member arriving during group.initial.rebalance.delay.ms extends it once more.
  h.timers.advance(300 * n);
  for (auto& j : joins) EXPECT_TRUE(j->has_value() && (**j).error == ErrorCode::none);
  int32_t gen = (*joins[0])->generation;
  std::vector<std::pair<std::string, std::vector<uint8_t>>> a;
  for (auto& id : ids) a.emplace_back(id, bytes("for-" + id));
  std::vector<std::shared_ptr<std::optional<SyncResult>>> syncs;
  for (size_t i = 1; i < ids.size(); ++i) syncs.push_back(h.sync(g, gen, ids[i]));
  syncs.push_back(h.sync(g, gen, ids[0], a));
  for (auto& s : syncs) EXPECT_TRUE(s->has_value() && (**s).error == ErrorCode::none);
  EXPECT_EQ(h.coord.group(g)->state, GroupState::stable);
  return ids;
}

TEST(Rebalance, NewMemberTriggersRebalanceAndOldMemberRejoins) {
  Harness h;
  auto ids = stable_group(h, "g", 2);
  EXPECT_EQ(h.coord.group("g")->generation, 1);
  auto [id3, j3] = h.join_new("g");
  EXPECT_EQ(h.coord.group("g")->state, GroupState::preparing_rebalance);
  EXPECT_EQ(h.coord.heartbeat("g", ids[0], std::nullopt, 1), ErrorCode::rebalance_in_progress);
  auto j1 = h.join(Harness::join_req("g", ids[0]));
  EXPECT_FALSE(j1->has_value());
  auto j2 = h.join(Harness::join_req("g", ids[1]));
  ASSERT_TRUE(j1->has_value() && j2->has_value() && j3->has_value()) << "all three joined: completes at once";
  EXPECT_EQ((*j1)->generation, 2);
  EXPECT_EQ((*j1)->members.size(), 3u) << "the leader stays the leader and sees every member";
  EXPECT_TRUE((*j3)->members.empty());
  // A sync with the old generation is refused.
  EXPECT_EQ((**h.sync("g", 1, ids[1])).error, ErrorCode::illegal_generation);
  auto s3 = h.sync("g", 2, id3);
  auto s1 = h.sync("g", 2, ids[0], {{id3, bytes("x")}});
  ASSERT_TRUE(s3->has_value());
  EXPECT_EQ((*s3)->assignment, bytes("x"));
  EXPECT_TRUE((*s1)->assignment.empty()) << "members the leader left out get an empty assignment";
}

TEST(Rebalance, MemberThatDoesNotRejoinIsRemovedAtRebalanceTimeout) {
  Harness h;
  auto ids = stable_group(h, "g", 2);
  auto j1 = h.join(Harness::join_req("g", ids[0], "changed"));
  EXPECT_FALSE(j1->has_value());
  // ids[1] keeps heartbeating but never rejoins: the rebalance times out after 5 s.
  for (int i = 0; i < 9; ++i) {
    h.timers.advance(500);
    h.coord.heartbeat("g", ids[1], std::nullopt, 1);
  }
  EXPECT_FALSE(j1->has_value());
  h.timers.advance(600);
  ASSERT_TRUE(j1->has_value());
  EXPECT_EQ((*j1)->generation, 2);
  EXPECT_EQ(h.coord.group("g")->members.size(), 1u);
  EXPECT_EQ(h.coord.heartbeat("g", ids[1], std::nullopt, 1), ErrorCode::unknown_member_id);
}

// Two members joined generation 1 (session 1 s, rebalance timeout 5 s); nobody synced yet.
std::vector<std::string> joined_group(Harness& h, const std::string& g) {
  auto [a, ja] = h.join_new(g);
  auto [b, jb] = h.join_new(g);
  h.timers.advance(600);
  EXPECT_TRUE(ja->has_value() && jb->has_value());
  EXPECT_EQ(h.coord.group(g)->state, GroupState::completing_rebalance);
  std::string leader = (*ja)->leader;
  return leader == a ? std::vector<std::string>{a, b} : std::vector<std::string>{b, a};
}

// Heartbeats every member in `alive` each 500 ms for `ms` milliseconds.
void keep_alive(Harness& h, const std::string& g, const std::vector<std::string>& alive, int64_t ms, int32_t gen) {
  for (int64_t t = 0; t < ms; t += 500) {
    h.timers.advance(std::min<int64_t>(500, ms - t));
    for (const auto& id : alive) h.coord.heartbeat(g, id, std::nullopt, gen);
  }
}

TEST(PendingSync, MemberThatNeverSyncsIsRemovedAtRebalanceTimeout) {
  Harness h;
  auto ids = joined_group(h, "g");  // ids[0] leads
  auto s0 = h.sync("g", 1, ids[0], {{ids[0], bytes("A")}, {ids[1], bytes("B")}});
  ASSERT_TRUE(s0->has_value());
  EXPECT_EQ(h.coord.group("g")->state, GroupState::stable);
  // ids[1] heartbeats (so its session never expires) but never sends SyncGroup.
  keep_alive(h, "g", ids, 4500, 1);
  EXPECT_EQ(h.coord.group("g")->members.size(), 2u) << "still within the rebalance timeout";
  keep_alive(h, "g", {ids[0]}, 500, 1);
  const ClassicGroup* g = h.coord.group("g");
  EXPECT_EQ(g->members.count(ids[1]), 0u) << "removed on pending-sync expiry";
  EXPECT_EQ(g->state, GroupState::preparing_rebalance);
  EXPECT_EQ(h.coord.heartbeat("g", ids[1], std::nullopt, 1), ErrorCode::unknown_member_id);
  auto j = h.join(Harness::join_req("g", ids[0]));
  ASSERT_TRUE(j->has_value()) << "the remaining member rejoins alone";
  EXPECT_EQ((*j)->generation, 2);
  EXPECT_EQ((*j)->members.size(), 1u);
}

TEST(PendingSync, NobodySyncsEmptiesTheGroupAndSyncedMembersStay) {
  Harness h;
  auto ids = joined_group(h, "g");
  keep_alive(h, "g", ids, 5000, 1);
  EXPECT_TRUE(h.coord.group("g")->members.empty());
  EXPECT_EQ(h.coord.group("g")->state, GroupState::empty);

  // A group whose members all synced is left alone after the rebalance timeout.
  auto stable = stable_group(h, "h", 2);
  keep_alive(h, "h", stable, 6000, 1);
  EXPECT_EQ(h.coord.group("h")->members.size(), 2u);
  EXPECT_EQ(h.coord.group("h")->state, GroupState::stable);
}

TEST(Rebalance, SessionTimeoutExpiresSilentMember) {
  Harness h;
  auto ids = stable_group(h, "g", 2);
  // Only ids[0] heartbeats; ids[1] dies silently.
  for (int i = 0; i < 3; ++i) {
    h.timers.advance(400);
    EXPECT_EQ(h.coord.heartbeat("g", ids[0], std::nullopt, 1), i < 2 ? ErrorCode::none : ErrorCode::rebalance_in_progress);
  }
  EXPECT_EQ(h.coord.group("g")->members.count(ids[1]), 0u);
  auto j = h.join(Harness::join_req("g", ids[0]));
  ASSERT_TRUE(j->has_value()) << "the only remaining member rejoined: no waiting";
  EXPECT_EQ((*j)->generation, 2);
}

TEST(Rebalance, SyncDuringRebalanceAndLeave) {
  Harness h;
  auto ids = stable_group(h, "g", 2);
  auto lr = h.coord.leave("g", {LeaveMember{ids[1], std::nullopt}, LeaveMember{"ghost", std::nullopt}});
  EXPECT_EQ(lr.error, ErrorCode::none);
  EXPECT_EQ(lr.members, (std::vector<ErrorCode>{ErrorCode::none, ErrorCode::unknown_member_id}));
  EXPECT_EQ(h.coord.group("g")->state, GroupState::preparing_rebalance);
  EXPECT_EQ((**h.sync("g", 1, ids[0])).error, ErrorCode::rebalance_in_progress);
  auto j = h.join(Harness::join_req("g", ids[0]));
  ASSERT_TRUE(j->has_value());
  h.coord.leave("g", {LeaveMember{ids[0], std::nullopt}});
  EXPECT_EQ(h.coord.group("g")->state, GroupState::empty) << "the last member left";
  EXPECT_EQ(h.coord.leave("nope", {LeaveMember{"x", std::nullopt}}).error, ErrorCode::unknown_member_id);
}

TEST(StaticMembership, RejoinWithinSessionTimeoutDoesNotRebalance) {
  Harness h;
  auto r = Harness::join_req("g", "", "m", "instance-1");
  auto j = h.join(r);  // static members skip KIP-394
  h.timers.advance(300);
  ASSERT_TRUE(j->has_value());
  std::string old_id = (*j)->member_id;
  auto s = h.sync("g", 1, old_id, {{old_id, bytes("P0")}}, "instance-1");
  ASSERT_EQ((*s)->error, ErrorCode::none);
  // The process restarts: unknown member id, same instance id, same subscription.
  h.timers.advance(500);
  auto again = h.join(Harness::join_req("g", "", "m", "instance-1"));
  ASSERT_TRUE(again->has_value());
  EXPECT_EQ((*again)->error, ErrorCode::none);
  EXPECT_EQ((*again)->generation, 1) << "no new generation";
  EXPECT_NE((*again)->member_id, old_id);
  EXPECT_EQ(h.coord.group("g")->state, GroupState::stable);
  auto s2 = h.sync("g", 1, (*again)->member_id, {}, "instance-1");
  EXPECT_EQ((*s2)->assignment, bytes("P0")) << "the assignment carries over";
  EXPECT_EQ(h.coord.heartbeat("g", old_id, std::string("instance-1"), 1), ErrorCode::fenced_instance_id);
  auto lr = h.coord.leave("g", {LeaveMember{old_id, std::string("instance-1")}});
  EXPECT_EQ(lr.members[0], ErrorCode::fenced_instance_id);
}

TEST(StaticMembership, ExpiresAfterSessionTimeout) {
  Harness h;
  auto j = h.join(Harness::join_req("g", "", "m", "i"));
  h.timers.advance(300);
  std::string id = (*j)->member_id;
  h.sync("g", 1, id, {{id, bytes("P")}}, "i");
  h.timers.advance(1001);
  EXPECT_EQ(h.coord.group("g")->state, GroupState::empty);
  EXPECT_EQ(h.coord.group("g")->generation, 2);
}

TEST(Coordinator, LoadingAndOwnership) {
  FakeTimers t;
  FakeJournal jn;
  CoordinatorConfig c;
  c.offsets_partitions = 50;
  Coordinator coord(c, t, jn);
  EXPECT_EQ(coord.heartbeat("my-group", "m", std::nullopt, 1), ErrorCode::not_coordinator);
  coord.begin_load(36);  // my-group's partition
  EXPECT_EQ(coord.heartbeat("my-group", "m", std::nullopt, 1), ErrorCode::coordinator_load_in_progress);
  EXPECT_EQ(coord.fetch_offsets("my-group", std::nullopt).error, ErrorCode::coordinator_load_in_progress);
  coord.finish_load(36);
  EXPECT_EQ(coord.heartbeat("my-group", "m", std::nullopt, 1), ErrorCode::unknown_member_id);
}

}  // namespace
}  // namespace runnel::group::testing
