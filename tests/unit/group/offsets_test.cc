#include <gtest/gtest.h>

#include "tests/unit/group/fakes.h"

namespace runnel::group::testing {
namespace {

std::vector<ErrorCode> commit(Harness& h, const std::string& g, int32_t gen, const std::string& member,
                              std::vector<OffsetCommitPartition> parts) {
  std::vector<ErrorCode> out;
  OffsetCommitRequest r{g, gen, member, std::nullopt, std::move(parts)};
  h.coord.commit_offsets(std::move(r), [&out](std::vector<ErrorCode> e) { out = std::move(e); });
  return out;
}

OffsetCommitPartition part(const std::string& t, int32_t p, int64_t off, std::string meta = "") {
  return OffsetCommitPartition{TopicPartition{t, p}, off, 5, meta};
}

TEST(Offsets, SimpleCommitFetchAndReload) {
  Harness h;
  EXPECT_EQ(commit(h, "g", -1, "", {part("t", 0, 10), part("t", 1, 20, "m")}),
            (std::vector<ErrorCode>{ErrorCode::none, ErrorCode::none}));
  auto f = h.coord.fetch_offsets("g", std::vector<TopicPartition>{{"t", 0}, {"t", 1}, {"t", 2}});
  ASSERT_EQ(f.offsets.size(), 3u);
  EXPECT_EQ(f.offsets[0].offset.offset, 10);
  EXPECT_EQ(f.offsets[0].offset.leader_epoch, 5);
  EXPECT_EQ(f.offsets[1].offset.metadata, "m");
  EXPECT_EQ(f.offsets[2].offset.offset, -1) << "nothing committed";
  EXPECT_EQ(h.coord.fetch_offsets("g", std::nullopt).offsets.size(), 2u);
  EXPECT_TRUE(h.coord.fetch_offsets("unknown", std::nullopt).offsets.empty());

  // Overwrite one, delete the other, then replay the journal into a fresh coordinator.
  commit(h, "g", -1, "", {part("t", 0, 11)});
  std::vector<ErrorCode> del_errors;
  h.coord.delete_offsets("g", {{"t", 1}}, [&](ErrorCode e, std::vector<ErrorCode> es) {
    EXPECT_EQ(e, ErrorCode::none);
    del_errors = es;
  });
  EXPECT_EQ(del_errors, std::vector<ErrorCode>{ErrorCode::none});

  FakeTimers t2;
  FakeJournal j2;
  Coordinator reloaded(h.config, t2, j2);
  int32_t p = reloaded.partition_for("g");
  reloaded.begin_load(p);
  for (auto& e : h.journal.log) {
    ASSERT_EQ(e.partition, p);
    reloaded.replay(p, e.record.key, e.record.value ? std::optional<std::string_view>(*e.record.value) : std::nullopt);
  }
  reloaded.finish_load(p);
  auto all = reloaded.fetch_offsets("g", std::nullopt);
  ASSERT_EQ(all.offsets.size(), 1u);
  EXPECT_EQ(all.offsets[0].tp.partition, 0);
  EXPECT_EQ(all.offsets[0].offset.offset, 11);
}

TEST(Offsets, MemberCommitsAreValidated) {
  Harness h;
  auto [id, j] = h.join_new("g");
  h.timers.advance(300);
  EXPECT_EQ(commit(h, "g", 1, id, {part("t", 0, 1)})[0], ErrorCode::rebalance_in_progress);
  h.sync("g", 1, id, {{id, bytes("a")}});
  EXPECT_EQ(commit(h, "g", 1, id, {part("t", 0, 1)})[0], ErrorCode::none);
  EXPECT_EQ(commit(h, "g", 0, id, {part("t", 0, 1)})[0], ErrorCode::illegal_generation);
  EXPECT_EQ(commit(h, "g", 1, "ghost", {part("t", 0, 1)})[0], ErrorCode::unknown_member_id);
  EXPECT_EQ(commit(h, "g", -1, "", {part("t", 0, 1)})[0], ErrorCode::unknown_member_id)
      << "a non-empty group refuses commits from outside";
  EXPECT_EQ(commit(h, "nogroup", 3, "m", {part("t", 0, 1)})[0], ErrorCode::illegal_generation);
  EXPECT_EQ(commit(h, "g", 1, id, {part("t", 0, 2, std::string(5000, 'x'))})[0], ErrorCode::offset_metadata_too_large);
  h.journal.fail_next = ErrorCode::kafka_storage_error;
  EXPECT_EQ(commit(h, "g", 1, id, {part("t", 0, 3)})[0], ErrorCode::not_coordinator);
  EXPECT_EQ(h.coord.fetch_offsets("g", std::nullopt).offsets[0].offset.offset, 1) << "failed writes change nothing";
}

TEST(Offsets, DeleteGroupsAndOffsetDelete) {
  Harness h;
  auto [id, j] = h.join_new("g");
  h.timers.advance(300);
  h.sync("g", 1, id, {{id, bytes("a")}});
  commit(h, "g", 1, id, {part("t", 0, 1)});
  ErrorCode e = ErrorCode::unknown_server_error;
  h.coord.delete_group("g", [&e](ErrorCode r) { e = r; });
  EXPECT_EQ(e, ErrorCode::non_empty_group);
  h.coord.delete_group("nope", [&e](ErrorCode r) { e = r; });
  EXPECT_EQ(e, ErrorCode::group_id_not_found);
  ErrorCode ge = ErrorCode::unknown_server_error;
  h.coord.delete_offsets("g", {{"t", 0}}, [&ge](ErrorCode r, std::vector<ErrorCode>) { ge = r; });
  EXPECT_EQ(ge, ErrorCode::none) << "'range' metadata is not a ConsumerProtocol subscription: nothing subscribed";
  h.coord.leave("g", {LeaveMember{id, std::nullopt}});
  h.coord.delete_group("g", [&e](ErrorCode r) { e = r; });
  EXPECT_EQ(e, ErrorCode::none);
  EXPECT_EQ(h.coord.group("g"), nullptr);
  EXPECT_EQ(h.coord.describe("g").state, "Dead");
  ASSERT_FALSE(h.journal.log.empty());
  EXPECT_FALSE(h.journal.log.back().record.value.has_value()) << "the group tombstone comes last";
}

TEST(Offsets, OffsetDeleteRefusesSubscribedTopics) {
  Harness h;
  // ConsumerProtocol subscription v0 to topic "t".
  std::string sub = std::string("\x00\x00\x00\x00\x00\x01\x00\x01t", 9) + std::string("\xff\xff\xff\xff", 4);
  auto [id, j] = h.join_new("g", sub);
  h.timers.advance(300);
  h.sync("g", 1, id, {{id, bytes("a")}});
  commit(h, "g", 1, id, {part("t", 0, 1), part("u", 0, 1)});
  std::vector<ErrorCode> errs;
  h.coord.delete_offsets("g", {{"t", 0}, {"u", 0}}, [&](ErrorCode, std::vector<ErrorCode> es) { errs = es; });
  EXPECT_EQ(errs, (std::vector<ErrorCode>{ErrorCode::group_subscribed_to_topic, ErrorCode::none}));
}

TEST(Offsets, RetentionExpiresOffsetsOfEmptyGroupsOnly) {
  Harness h;
  commit(h, "simple", -1, "", {part("t", 0, 1)});
  // A live consumer group keeps the offsets of topics it subscribes to ("t"), not others ("u").
  std::string sub = std::string("\x00\x00\x00\x00\x00\x01\x00\x01t", 9) + std::string("\xff\xff\xff\xff", 4);
  auto [id, j] = h.join_new("live", sub);
  h.timers.advance(300);
  h.sync("live", 1, id, {{id, bytes("a")}});
  commit(h, "live", 1, id, {part("t", 0, 1), part("u", 0, 1)});
  for (int i = 0; i < 120; ++i) {  // keep the live member alive for 60 s
    h.timers.advance(500);
    h.coord.heartbeat("live", id, std::nullopt, 1);
  }
  EXPECT_EQ(h.coord.expire_offsets(), 2u);
  EXPECT_EQ(h.coord.group("simple"), nullptr) << "an empty group without offsets is gone";
  EXPECT_EQ(h.coord.fetch_offsets("live", std::nullopt).offsets.size(), 1u);
}

TEST(Describe, StableGroupShowsAssignments) {
  Harness h;
  auto [id, j] = h.join_new("g");
  EXPECT_EQ(h.coord.describe("g").state, "PreparingRebalance");
  h.timers.advance(300);
  h.sync("g", 1, id, {{id, bytes("a")}});
  GroupDescription d = h.coord.describe("g");
  EXPECT_EQ(d.state, "Stable");
  EXPECT_EQ(d.protocol_type, "consumer");
  EXPECT_EQ(d.protocol_data, "range");
  ASSERT_EQ(d.members.size(), 1u);
  EXPECT_EQ(d.members[0].assignment, bytes("a"));
  auto listed = h.coord.list(-1);
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0].state, "Stable");
}

}  // namespace
}  // namespace runnel::group::testing
