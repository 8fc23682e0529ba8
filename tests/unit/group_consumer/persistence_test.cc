#include <gtest/gtest.h>

#include "broker/group/consumer_group_records.h"
#include "tests/unit/group_consumer/harness.h"

namespace runnel::group::testing {
namespace {

TEST(ConsumerGroupRecords, KeysAndValuesRoundTrip) {
  ConsumerRecordKey k{ConsumerRecordType::current_assignment, "g", "m1"};
  auto back = decode_consumer_key(encode_consumer_key(k));
  ASSERT_TRUE(back);
  EXPECT_EQ(back->type, k.type);
  EXPECT_EQ(back->member, "m1");
  EXPECT_FALSE(decode_consumer_key(encode_key(OffsetKey{"g", "t", 0}))) << "offset keys are not ours";
  EXPECT_FALSE(decode_key(encode_consumer_key(k))) << "nor ours the classic decoder's";

  ConsumerMember m;
  m.instance_id = "i";
  m.client_id = "c";
  m.client_host = "/h";
  m.subscribed_topic_names = {"a", "b"};
  m.subscribed_topic_regex = "x.*";
  m.rebalance_timeout_ms = 77;
  m.server_assignor = "range";
  m.member_epoch = 5;
  m.previous_member_epoch = 4;
  m.state = MemberState::unrevoked_partitions;
  m.assigned = parts(topic_id(1), {0, 2});
  m.pending_revocation = parts(topic_id(2), {1});
  ConsumerMember r;
  ASSERT_TRUE(decode_member_metadata(encode_member_metadata(m), r));
  ASSERT_TRUE(decode_current_assignment(encode_current_assignment(m), r));
  EXPECT_EQ(r.instance_id, m.instance_id);
  EXPECT_EQ(r.subscribed_topic_names, m.subscribed_topic_names);
  EXPECT_EQ(r.subscribed_topic_regex, m.subscribed_topic_regex);
  EXPECT_EQ(r.server_assignor, m.server_assignor);
  EXPECT_EQ(r.rebalance_timeout_ms, 77);
  EXPECT_EQ(r.member_epoch, 5);
  EXPECT_EQ(r.state, MemberState::unrevoked_partitions);
  EXPECT_EQ(r.assigned, m.assigned);
  EXPECT_EQ(r.pending_revocation, m.pending_revocation);
  std::string truncated = encode_current_assignment(m);
  truncated.pop_back();
  EXPECT_FALSE(decode_current_assignment(truncated, r));
}

TEST(ConsumerGroupPersistence, GroupSurvivesARestartMidReconciliation) {
  CgHarness h;
  h.send(CgHarness::join("m1", {"foo"}));
  h.send(CgHarness::join("m2", {"foo", "bar"}));
  auto b1 = h.send(CgHarness::beat("m1", 1, parts(h.foo, {0, 1, 2, 3, 4, 5})));  // m1 now revoking
  std::vector<ErrorCode> committed;
  h.coord->commit_offsets(commit_req("m1", 1, "foo", 0, 9),
                          [&](std::vector<ErrorCode> e) { committed = e; });
  ASSERT_EQ(committed, std::vector<ErrorCode>{ErrorCode::none});
  ConsumerGroup before = h.group();

  h.restart();
  const ConsumerGroup& after = h.group();
  EXPECT_EQ(after.group_epoch, before.group_epoch);
  EXPECT_EQ(after.assignment_epoch, before.assignment_epoch);
  EXPECT_EQ(after.target, before.target);
  EXPECT_EQ(after.subscribed_metadata, before.subscribed_metadata);
  EXPECT_EQ(after.owners, before.owners);
  ASSERT_EQ(after.members.size(), 2u);
  for (const auto& [id, m] : before.members) {
    const ConsumerMember& a = after.members.at(id);
    EXPECT_EQ(a.member_epoch, m.member_epoch) << id;
    EXPECT_EQ(a.state, m.state) << id;
    EXPECT_EQ(a.assigned, m.assigned) << id;
    EXPECT_EQ(a.pending_revocation, m.pending_revocation) << id;
    EXPECT_EQ(a.subscribed_topic_names, m.subscribed_topic_names) << id;
  }
  EXPECT_EQ(h.coord->fetch_offsets("g", std::nullopt).offsets.at(0).offset.offset, 9);

  // Reconciliation carries on where it stopped, without a spurious epoch bump.
  auto b2 = h.send(CgHarness::beat("m1", 1, b1.assignment));
  EXPECT_EQ(b2.error, ErrorCode::none);
  EXPECT_EQ(b2.member_epoch, 2);
  EXPECT_EQ(h.group().group_epoch, before.group_epoch);
  // Members that do not come back expire after the session timeout.
  h.timers.advance(2000);
  EXPECT_TRUE(h.group().members.empty());
}

TEST(ConsumerGroupPersistence, ConflictingClaimsOnDiskKeepOneOwner) {
  CgHarness h;
  h.send(CgHarness::join("m1", {"foo"}));
  // What a failed write followed by a successful one can leave: m2 also claiming foo-0.
  ConsumerMember m2;
  m2.id = "m2";
  m2.subscribed_topic_names = {"foo"};
  m2.member_epoch = 1;
  m2.assigned = parts(h.foo, {0});
  int32_t p = h.coord->partition_for("g");
  h.journal.log.push_back({p, {encode_consumer_key({ConsumerRecordType::member_metadata, "g", "m2"}),
                               encode_member_metadata(m2)}});
  h.journal.log.push_back({p, {encode_consumer_key({ConsumerRecordType::current_assignment, "g", "m2"}),
                               encode_current_assignment(m2)}});
  h.restart();
  const ConsumerGroup& g = h.group();
  ASSERT_EQ(g.members.size(), 2u);
  EXPECT_EQ(partition_count(g.members.at("m1").assigned) + partition_count(g.members.at("m2").assigned), 6u);
  EXPECT_EQ(g.owners.size(), 6u);
}

TEST(ConsumerGroupPersistence, StaticReplacementSurvivesRestart) {
  CgHarness h;
  auto j = CgHarness::join("m1", {"foo"});
  j.instance_id = "i1";
  h.send(j);
  auto pause = CgHarness::beat("m1", kLeaveGroupStaticMemberEpoch);
  pause.instance_id = "i1";
  h.send(pause);
  auto j2 = CgHarness::join("m1b", {"foo"});
  j2.instance_id = "i1";
  ASSERT_EQ(h.send(j2).error, ErrorCode::none);
  h.restart();
  const ConsumerGroup& g = h.group();
  ASSERT_EQ(g.members.size(), 1u);
  EXPECT_EQ(g.members.count("m1b"), 1u);
  EXPECT_EQ(g.static_members.at("i1"), "m1b");
  EXPECT_EQ(partition_count(g.members.at("m1b").assigned), 6u);
  EXPECT_EQ(partition_count(g.target.at("m1b")), 6u);
}

TEST(ConsumerGroupPersistence, DeletedGroupStaysDeleted) {
  CgHarness h;
  h.send(CgHarness::join("m1", {"foo"}));
  h.send(CgHarness::beat("m1", kLeaveGroupMemberEpoch));
  h.coord->delete_group("g", [](ErrorCode e) { EXPECT_EQ(e, ErrorCode::none); });
  h.restart();
  EXPECT_EQ(h.cg().group("g"), nullptr);
  EXPECT_TRUE(h.coord->list(-1).empty());
}

}  // namespace
}  // namespace runnel::group::testing
