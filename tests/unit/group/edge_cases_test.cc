// Hostile inputs the coordinator must answer as Kafka does: commits to groups that do not exist
// (the answer depends on the OffsetCommit version) and writes too large for one
// __consumer_offsets batch (max.message.bytes).
#include <gtest/gtest.h>

#include "tests/unit/group/fakes.h"

namespace runnel::group::testing {
namespace {

std::vector<ErrorCode> commit(Harness& h, const std::string& g, int32_t gen, int16_t version,
                              std::vector<OffsetCommitPartition> parts) {
  std::vector<ErrorCode> out;
  OffsetCommitRequest r{g, gen, "m", std::nullopt, std::move(parts), version};
  h.coord.commit_offsets(std::move(r), [&out](std::vector<ErrorCode> e) { out = std::move(e); });
  h.timers.advance(0);  // answers deferred to a timer
  return out;
}

OffsetCommitPartition part(int32_t p, std::string meta = "") {
  return OffsetCommitPartition{TopicPartition{"t", p}, 10, -1, std::move(meta)};
}

TEST(UnknownGroup, CommitWithGenerationIsIllegalGenerationBeforeV9AndGroupIdNotFoundAfter) {
  Harness h;
  EXPECT_EQ(commit(h, "nogroup", 1, 8, {part(0), part(1)}),
            (std::vector<ErrorCode>{ErrorCode::illegal_generation, ErrorCode::illegal_generation}));
  EXPECT_EQ(commit(h, "nogroup", 0, 9, {part(0)}), std::vector<ErrorCode>{ErrorCode::group_id_not_found});
  EXPECT_EQ(h.coord.group("nogroup"), nullptr) << "a refused commit creates no group";
  EXPECT_EQ(h.coord.describe("nogroup").state, "Dead");
  EXPECT_EQ(commit(h, "nogroup", -1, 9, {part(0)}), std::vector<ErrorCode>{ErrorCode::none})
      << "generation -1: a simple group holds the offsets";
  EXPECT_EQ(h.coord.describe("nogroup").state, "Empty");
}

TEST(UnknownGroup, HeartbeatAndSyncAreUnknownMember) {
  Harness h;
  EXPECT_EQ(h.coord.heartbeat("nogroup", "m", std::nullopt, 3), ErrorCode::unknown_member_id);
  auto s = h.sync("nogroup", 3, "m");
  ASSERT_TRUE(s->has_value());
  EXPECT_EQ((*s)->error, ErrorCode::unknown_member_id);
  EXPECT_EQ(h.coord.group("nogroup"), nullptr);
}

TEST(RecordLimit, GroupRecordTooLargeFailsSyncWithUnknownServerErrorAndRebalances) {
  Harness h;
  h.config.max_record_batch_bytes = 10'000;
  Coordinator coord{h.config, h.timers, h.journal};
  for (int32_t p = 0; p < h.config.offsets_partitions; ++p) {
    coord.begin_load(p);
    coord.finish_load(p);
  }
  auto join = [&](const std::string& member, std::string meta) {
    auto slot = std::make_shared<std::optional<JoinResult>>();
    coord.join(Harness::join_req("g", member, std::move(meta)), [slot](JoinResult r) { *slot = std::move(r); });
    return slot;
  };
  auto sync = [&](int32_t gen, const std::string& member) {
    auto slot = std::make_shared<std::optional<SyncResult>>();
    SyncRequest r;
    r.group_id = "g";
    r.generation = gen;
    r.member_id = member;
    r.assignments = {{member, bytes("a")}};
    coord.sync(std::move(r), [slot](SyncResult res) { *slot = std::move(res); });
    return slot;
  };
  std::string big(20'000, 'x');
  std::string id = (*join("", big))->member_id;
  auto joined = join(id, big);
  h.timers.advance(300);
  ASSERT_TRUE(joined->has_value());
  ASSERT_EQ((*joined)->error, ErrorCode::none) << "the join itself is accepted, as in Kafka";
  size_t durable = h.journal.log.size();
  auto s = sync((*joined)->generation, id);
  EXPECT_FALSE(s->has_value()) << "answered later, like a journal answer";
  h.timers.advance(0);
  ASSERT_TRUE(s->has_value());
  EXPECT_EQ((*s)->error, ErrorCode::unknown_server_error);
  EXPECT_EQ(h.journal.log.size(), durable) << "nothing reached the log";
  EXPECT_EQ(coord.group("g")->state, GroupState::preparing_rebalance);
  EXPECT_EQ(coord.heartbeat("g", id, std::nullopt, (*joined)->generation), ErrorCode::rebalance_in_progress);

  // Rejoining with small metadata forms the group.
  auto again = join(id, "small");
  h.timers.advance(0);  // every member has rejoined: the join completes at once
  ASSERT_TRUE(again->has_value());
  ASSERT_EQ((*again)->error, ErrorCode::none);
  auto ok = sync((*again)->generation, id);
  ASSERT_TRUE(ok->has_value());
  EXPECT_EQ((*ok)->error, ErrorCode::none);
  EXPECT_EQ(coord.group("g")->state, GroupState::stable);
}

TEST(RecordLimit, OffsetCommitTooLargeForOneBatchIsUnknownServerError) {
  Harness h;
  h.config.max_record_batch_bytes = 2'000;
  h.config.offset_metadata_max_bytes = 1'500;
  Coordinator coord{h.config, h.timers, h.journal};
  for (int32_t p = 0; p < h.config.offsets_partitions; ++p) {
    coord.begin_load(p);
    coord.finish_load(p);
  }
  std::vector<ErrorCode> out;
  OffsetCommitRequest r{"g", -1, "", std::nullopt, {part(0, std::string(1'000, 'm')), part(1, std::string(1'000, 'm'))}, 8};
  coord.commit_offsets(std::move(r), [&out](std::vector<ErrorCode> e) { out = std::move(e); });
  h.timers.advance(0);
  EXPECT_EQ(out, (std::vector<ErrorCode>{ErrorCode::unknown_server_error, ErrorCode::unknown_server_error}));
  EXPECT_EQ(coord.fetch_offsets("g", std::nullopt).offsets.size(), 0u);
}

}  // namespace
}  // namespace runnel::group::testing
