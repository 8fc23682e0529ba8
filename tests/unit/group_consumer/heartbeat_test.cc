#include <gtest/gtest.h>

#include "tests/unit/group_consumer/harness.h"

namespace runnel::group::testing {
namespace {

// The invariant the whole protocol exists for: no partition held by two members.
void expect_disjoint(const ConsumerGroup& g) {
  std::map<std::pair<Uuid, int32_t>, std::string> seen;
  for (const auto& [id, m] : g.members) {
    for (const Assignment* a : {&m.assigned, &m.pending_revocation})
      for (const auto& [t, ps] : *a)
        for (int32_t p : ps) EXPECT_TRUE(seen.emplace(std::make_pair(t, p), id).second) << "partition " << p;
  }
}

TEST(ConsumerHeartbeat, FirstMemberGetsEveryPartition) {
  CgHarness h;
  auto r = h.send(CgHarness::join("m1", {"foo"}));
  ASSERT_EQ(r.error, ErrorCode::none);
  EXPECT_EQ(r.member_id, "m1");
  EXPECT_EQ(r.member_epoch, 1);
  EXPECT_EQ(r.heartbeat_interval_ms, 100);
  ASSERT_TRUE(r.assignment);
  EXPECT_EQ(*r.assignment, parts(h.foo, {0, 1, 2, 3, 4, 5}));
  EXPECT_EQ(h.group().state(), ConsumerGroupState::stable);
  // A plain heartbeat with nothing new carries no assignment.
  auto again = h.send(CgHarness::beat("m1", 1));
  EXPECT_EQ(again.error, ErrorCode::none);
  EXPECT_FALSE(again.assignment);
  EXPECT_EQ(again.member_epoch, 1);
}

TEST(ConsumerHeartbeat, SecondMemberGetsPartitionsOnlyAfterTheFirstRevokes) {
  CgHarness h;
  h.send(CgHarness::join("m1", {"foo"}));
  auto j2 = h.send(CgHarness::join("m2", {"foo"}));
  ASSERT_EQ(j2.error, ErrorCode::none);
  EXPECT_EQ(j2.member_epoch, 2);
  ASSERT_TRUE(j2.assignment);
  EXPECT_TRUE(j2.assignment->empty()) << "everything it should get is still m1's";
  EXPECT_EQ(h.group().state(), ConsumerGroupState::reconciling);
  expect_disjoint(h.group());

  auto b1 = h.send(CgHarness::beat("m1", 1, parts(h.foo, {0, 1, 2, 3, 4, 5})));
  EXPECT_EQ(b1.member_epoch, 1) << "stays in its epoch until it revoked";
  ASSERT_TRUE(b1.assignment);
  EXPECT_EQ(partition_count(*b1.assignment), 3u);
  expect_disjoint(h.group());
  EXPECT_EQ(h.send(CgHarness::beat("m2", 2)).assignment.value_or(Assignment{}), Assignment{})
      << "m1 has not released anything yet";

  auto b2 = h.send(CgHarness::beat("m1", 1, b1.assignment));
  EXPECT_EQ(b2.member_epoch, 2);
  EXPECT_FALSE(b2.assignment) << "its assignment did not change again";
  auto b3 = h.send(CgHarness::beat("m2", 2, Assignment{}));
  ASSERT_TRUE(b3.assignment);
  EXPECT_EQ(partition_count(*b3.assignment), 3u);
  expect_disjoint(h.group());
  EXPECT_EQ(h.group().state(), ConsumerGroupState::stable);
}

TEST(ConsumerHeartbeat, LeaveFreesPartitionsForTheOthers) {
  CgHarness h;
  h.send(CgHarness::join("m1", {"foo"}));
  h.send(CgHarness::join("m2", {"foo"}));
  auto b1 = h.send(CgHarness::beat("m1", 1, parts(h.foo, {0, 1, 2, 3, 4, 5})));
  h.send(CgHarness::beat("m1", 1, b1.assignment));
  h.send(CgHarness::beat("m2", 2, Assignment{}));
  auto leave = h.send(CgHarness::beat("m2", kLeaveGroupMemberEpoch));
  EXPECT_EQ(leave.error, ErrorCode::none);
  EXPECT_EQ(leave.member_epoch, -1);
  EXPECT_EQ(h.group().group_epoch, 3);
  auto b = h.send(CgHarness::beat("m1", 2, b1.assignment));
  EXPECT_EQ(b.member_epoch, 3);
  ASSERT_TRUE(b.assignment);
  EXPECT_EQ(*b.assignment, parts(h.foo, {0, 1, 2, 3, 4, 5}));
  EXPECT_EQ(h.send(CgHarness::beat("m2", 2)).error, ErrorCode::unknown_member_id);
}

TEST(ConsumerHeartbeat, SessionTimeoutRemovesASilentMember) {
  CgHarness h;
  h.send(CgHarness::join("m1", {"foo"}));
  h.send(CgHarness::join("m2", {"foo"}));
  for (int i = 0; i < 5; ++i) {
    h.timers.advance(400);
    h.send(CgHarness::beat("m1", h.group().members.at("m1").member_epoch));
  }
  EXPECT_EQ(h.group().members.count("m2"), 0u) << "m2 never heartbeated within 1000 ms";
  EXPECT_EQ(h.group().members.count("m1"), 1u);
  EXPECT_EQ(h.group().group_epoch, 3);
}

TEST(ConsumerHeartbeat, MemberThatNeverRevokesIsFencedAfterTheRebalanceTimeout) {
  CgHarness h;
  h.send(CgHarness::join("m1", {"foo"}));
  h.send(CgHarness::join("m2", {"foo"}));
  Assignment all = parts(h.foo, {0, 1, 2, 3, 4, 5});
  for (int i = 0; i < 12; ++i) {  // keeps its session alive but never lets go (5000 ms timeout)
    EXPECT_EQ(h.send(CgHarness::beat("m1", 1, all)).error, ErrorCode::none);
    EXPECT_EQ(h.send(CgHarness::beat("m2", 2)).assignment.value_or(Assignment{}), Assignment{});
    h.timers.advance(400);
  }
  h.timers.advance(400);
  EXPECT_EQ(h.send(CgHarness::beat("m1", 1, all)).error, ErrorCode::unknown_member_id);
  auto b = h.send(CgHarness::beat("m2", 2, Assignment{}));
  ASSERT_TRUE(b.assignment);
  EXPECT_EQ(*b.assignment, all);
}

TEST(ConsumerHeartbeat, ErrorsMatchKafka) {
  CgHarness h;
  h.send(CgHarness::join("m1", {"foo"}));
  EXPECT_EQ(h.send(CgHarness::beat("nobody", 1)).error, ErrorCode::unknown_member_id);
  EXPECT_EQ(h.send(CgHarness::beat("m1", 1, std::nullopt, "no-such-group")).error, ErrorCode::group_id_not_found);
  EXPECT_EQ(h.send(CgHarness::beat("m1", 5)).error, ErrorCode::fenced_member_epoch);
  EXPECT_EQ(h.send(CgHarness::beat("m1", kLeaveGroupMemberEpoch, std::nullopt, "g")).error, ErrorCode::none);
  h.send(CgHarness::join("m1", {"foo"}));  // epoch 3 now
  h.send(CgHarness::join("m2", {"foo"}));
  EXPECT_EQ(h.send(CgHarness::beat("m2", 1)).error, ErrorCode::fenced_member_epoch) << "older than previous";

  auto bad_assignor = CgHarness::join("m3", {"foo"});
  bad_assignor.server_assignor = "sticky";
  EXPECT_EQ(h.send(bad_assignor).error, ErrorCode::unsupported_assignor);

  auto no_timeout = CgHarness::join("m3", {"foo"});
  no_timeout.rebalance_timeout_ms = -1;
  auto r = h.send(no_timeout);
  EXPECT_EQ(r.error, ErrorCode::invalid_request);
  EXPECT_EQ(r.error_message, "RebalanceTimeoutMs must be provided in first request.");
  auto no_subscription = CgHarness::join("m3", {});
  no_subscription.subscribed_topic_names.reset();
  EXPECT_EQ(h.send(no_subscription).error, ErrorCode::invalid_request);
  auto owned_on_join = CgHarness::join("m3", {"foo"});
  owned_on_join.owned = parts(h.foo, {1});
  EXPECT_EQ(h.send(owned_on_join).error, ErrorCode::invalid_request);
  EXPECT_EQ(h.send(CgHarness::join("", {"foo"})).error, ErrorCode::invalid_request) << "v1 needs a member id";
  EXPECT_EQ(h.send(CgHarness::beat("m1", -3)).error, ErrorCode::invalid_request);
  auto bad_regex = CgHarness::join("m3", {});
  bad_regex.subscribed_topic_regex = "foo(";
  EXPECT_EQ(h.send(bad_regex).error, ErrorCode::invalid_request);
  auto static_leave = CgHarness::beat("m1", kLeaveGroupStaticMemberEpoch);
  EXPECT_EQ(h.send(static_leave).error, ErrorCode::invalid_request) << "-2 needs an instance id";
}

TEST(ConsumerHeartbeat, GroupMaxSize) {
  CgHarness h;
  h.config.consumer.max_size = 1;
  h.coord = std::make_unique<Coordinator>(h.config, h.timers, h.journal);
  h.load_all();
  EXPECT_EQ(h.send(CgHarness::join("m1", {"foo"})).error, ErrorCode::none);
  EXPECT_EQ(h.send(CgHarness::join("m2", {"foo"})).error, ErrorCode::group_max_size_reached);
}

TEST(ConsumerHeartbeat, V0CoordinatorNamesTheMember) {
  CgHarness h;
  auto j = CgHarness::join("", {"foo"});
  j.version = 0;
  auto r = h.send(j);
  ASSERT_EQ(r.error, ErrorCode::none);
  ASSERT_TRUE(r.member_id);
  EXPECT_EQ(r.member_id->size(), 22u);
  EXPECT_EQ(h.group().members.count(*r.member_id), 1u);
}

TEST(ConsumerHeartbeat, ClassicGroupInUseIsNotAConsumerGroup) {
  CgHarness h;
  JoinResult jr;
  h.coord->join(Harness::join_req("cg", ""), [&](JoinResult r) { jr = r; });
  h.coord->join(Harness::join_req("cg", jr.member_id), [&](JoinResult r) { jr = r; });
  auto r = h.send(CgHarness::join("m1", {"foo"}, "cg"));
  EXPECT_EQ(r.error, ErrorCode::group_id_not_found);
  // And the other way round: JoinGroup on a consumer group in use.
  h.send(CgHarness::join("m1", {"foo"}));
  JoinResult refused;
  h.coord->join(Harness::join_req("g", ""), [&](JoinResult res) { refused = res; });
  EXPECT_EQ(refused.error, ErrorCode::inconsistent_group_protocol);
}

TEST(ConsumerHeartbeat, StaticMemberPausesAndIsReplacedByTheSameInstance) {
  CgHarness h;
  auto j = CgHarness::join("m1", {"foo"});
  j.instance_id = "i1";
  auto r1 = h.send(j);
  ASSERT_EQ(r1.error, ErrorCode::none);
  auto other = CgHarness::join("m1b", {"foo"});
  other.instance_id = "i1";
  EXPECT_EQ(h.send(other).error, ErrorCode::unreleased_instance_id);
  auto pause = CgHarness::beat("m1", kLeaveGroupStaticMemberEpoch);
  pause.instance_id = "i1";
  auto p = h.send(pause);
  EXPECT_EQ(p.error, ErrorCode::none);
  EXPECT_EQ(p.member_epoch, -2);
  int32_t epoch = h.group().group_epoch;
  auto back = h.send(other);
  ASSERT_EQ(back.error, ErrorCode::none);
  EXPECT_EQ(back.member_epoch, 1);
  EXPECT_EQ(back.assignment, r1.assignment) << "takes over the partitions";
  EXPECT_EQ(h.group().group_epoch, epoch) << "no rebalance for a returning static member";
  EXPECT_EQ(h.group().members.count("m1"), 0u);
}

TEST(ConsumerHeartbeat, RegexFollowsTopicCreation) {
  CgHarness h;
  auto j = CgHarness::join("m1", {});
  j.subscribed_topic_names.reset();
  j.subscribed_topic_regex = "fo.*";
  auto r = h.send(j);
  ASSERT_EQ(r.error, ErrorCode::none);
  EXPECT_EQ(*r.assignment, parts(h.foo, {0, 1, 2, 3, 4, 5}));
  Uuid food = topic_id(9);
  h.add_topic("food", food, 2);
  auto b = h.send(CgHarness::beat("m1", 1, r.assignment));
  EXPECT_EQ(b.member_epoch, 2);
  ASSERT_TRUE(b.assignment);
  EXPECT_EQ(partition_count(*b.assignment), 8u);
  EXPECT_TRUE(contains(*b.assignment, food, 1));
}

TEST(ConsumerHeartbeat, MixedSubscriptionsOnlyGetWhatTheySubscribeTo) {
  CgHarness h;
  h.send(CgHarness::join("m1", {"foo"}));
  auto j = CgHarness::join("m2", {});
  j.subscribed_topic_names.reset();
  j.subscribed_topic_regex = "b.r";
  auto r2 = h.send(j);
  EXPECT_EQ(*r2.assignment, parts(h.bar, {0, 1, 2}));
  auto b1 = h.send(CgHarness::beat("m1", 1));
  EXPECT_FALSE(b1.assignment) << "m1's target is unchanged: all of foo";
  EXPECT_EQ(b1.member_epoch, 2);
}

TEST(ConsumerHeartbeat, PartitionGrowthBumpsTheEpoch) {
  CgHarness h;
  h.send(CgHarness::join("m1", {"foo"}));
  h.add_topic("foo", h.foo, 8);
  auto b = h.send(CgHarness::beat("m1", 1));
  EXPECT_EQ(b.member_epoch, 2);
  EXPECT_EQ(partition_count(*b.assignment), 8u);
}

TEST(ConsumerHeartbeat, OffsetCommitAndFetchCheckTheMemberEpoch) {
  CgHarness h;
  h.send(CgHarness::join("m1", {"foo"}));
  auto commit = [&](const std::string& member, int32_t epoch) {
    std::vector<ErrorCode> out;
    h.coord->commit_offsets(commit_req(member, epoch, "foo", 0, 42), [&](std::vector<ErrorCode> e) { out = std::move(e); });
    return out.at(0);
  };
  EXPECT_EQ(commit("m1", 1), ErrorCode::none);
  EXPECT_EQ(commit("m1", 0), ErrorCode::stale_member_epoch);
  EXPECT_EQ(commit("x", 1), ErrorCode::unknown_member_id);
  EXPECT_EQ(commit("", -1), ErrorCode::unknown_member_id) << "admin commits only while the group is empty";
  auto f = h.coord->fetch_offsets("g", std::vector<TopicPartition>{{"foo", 0}}, FetchingMember{"m1", 1});
  EXPECT_EQ(f.error, ErrorCode::none);
  EXPECT_EQ(f.offsets.at(0).offset.offset, 42);
  EXPECT_EQ(h.coord->fetch_offsets("g", std::nullopt, FetchingMember{"m1", 7}).error, ErrorCode::stale_member_epoch);
  EXPECT_EQ(h.coord->fetch_offsets("g", std::nullopt, FetchingMember{"zz", 1}).error, ErrorCode::unknown_member_id);
}

TEST(ConsumerHeartbeat, DescribeAndList) {
  CgHarness h;
  h.send(CgHarness::join("m1", {"foo"}));
  h.send(CgHarness::join("m2", {"foo"}));
  auto d = h.cg().describe("g");
  EXPECT_EQ(d.error, ErrorCode::none);
  EXPECT_EQ(d.state, "Reconciling");
  EXPECT_EQ(d.group_epoch, 2);
  EXPECT_EQ(d.assignment_epoch, 2);
  EXPECT_EQ(d.assignor, "uniform");
  ASSERT_EQ(d.members.size(), 2u);
  EXPECT_EQ(partition_count(d.members[0].target), 3u);
  EXPECT_EQ(partition_count(d.members[0].member.assigned), 6u);
  EXPECT_EQ(h.cg().describe("none").error, ErrorCode::group_id_not_found);
  auto listed = h.coord->list(-1);
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0].type, "consumer");
  EXPECT_EQ(listed[0].protocol_type, "consumer");
  EXPECT_EQ(listed[0].state, "Reconciling");
  EXPECT_EQ(h.coord->describe("g").state, "Dead") << "DescribeGroups v0-5 on a consumer group";
}

TEST(ConsumerHeartbeat, DeleteGroupOnlyWhenEmpty) {
  CgHarness h;
  h.send(CgHarness::join("m1", {"foo"}));
  ErrorCode e = ErrorCode::unknown_server_error;
  h.coord->delete_group("g", [&](ErrorCode r) { e = r; });
  EXPECT_EQ(e, ErrorCode::non_empty_group);
  h.send(CgHarness::beat("m1", kLeaveGroupMemberEpoch));
  h.coord->delete_group("g", [&](ErrorCode r) { e = r; });
  EXPECT_EQ(e, ErrorCode::none);
  EXPECT_EQ(h.cg().group("g"), nullptr);
}

}  // namespace
}  // namespace runnel::group::testing
