// SpeculativeImage (server/speculative_image.h): what a pipelining controller decides on while
// its proposals are in flight, and when it falls back to the committed image.

#include "broker/server/speculative_image.h"

#include <gtest/gtest.h>

namespace runnel::server {
namespace {

std::vector<metadata::Record> new_topic(const std::string& name, Uuid id) {
  return {metadata::TopicRecord{name, id}};
}

raft::OffsetRange at(int64_t first, int64_t last) { return {Offset{first}, Offset{last}}; }

TEST(SpeculativeImageTest, DecisionsSeeProposalsUntilTheyAreApplied) {
  const metadata::Image committed;
  SpeculativeImage spec;
  const LeaderEpoch epoch{3};
  EXPECT_EQ(&spec.decide_on(committed, epoch, Offset{10}), &committed);

  spec.add(spec.decide_on(committed, epoch, Offset{10}), new_topic("a", Uuid::random()), at(10, 10), epoch);
  spec.add(spec.decide_on(committed, epoch, Offset{10}), new_topic("b", Uuid::random()), at(11, 11), epoch);
  const metadata::Image& both = spec.decide_on(committed, epoch, Offset{10});
  EXPECT_NE(both.topic("a"), nullptr);
  EXPECT_NE(both.topic("b"), nullptr) << "the second decision was made on the first one's records";
  // The applier took the first batch: the second is still only speculative.
  EXPECT_TRUE(spec.holds(epoch, Offset{11}));
  EXPECT_NE(spec.decide_on(committed, epoch, Offset{11}).topic("b"), nullptr);
  // Both applied: the committed image is the same thing.
  EXPECT_FALSE(spec.holds(epoch, Offset{12}));
  EXPECT_EQ(&spec.decide_on(committed, epoch, Offset{12}), &committed);
}

TEST(SpeculativeImageTest, ANewEpochDropsTheProposalsOfTheOldOne) {
  const metadata::Image committed;
  SpeculativeImage spec;
  spec.add(committed, new_topic("a", Uuid::random()), at(5, 5), LeaderEpoch{1});
  EXPECT_TRUE(spec.holds(LeaderEpoch{1}, Offset{5}));
  // Leadership lost and won again: what epoch 1 proposed may be gone from the log.
  EXPECT_FALSE(spec.holds(LeaderEpoch{2}, Offset{5}));
  EXPECT_EQ(spec.decide_on(committed, LeaderEpoch{2}, Offset{5}).topic("a"), nullptr);
}

TEST(SpeculativeImageTest, ARefusedRecordLeavesTheImageAsTheReplayWill) {
  const metadata::Image committed;
  SpeculativeImage spec;
  const Uuid id = Uuid::random();
  spec.add(committed, new_topic("a", id), at(1, 1), LeaderEpoch{1});
  // A second topic of the same name is refused by the replay rules; the first one stays.
  spec.add(spec.decide_on(committed, LeaderEpoch{1}, Offset{1}), new_topic("a", Uuid::random()), at(2, 2),
           LeaderEpoch{1});
  const metadata::TopicImage* a = spec.decide_on(committed, LeaderEpoch{1}, Offset{1}).topic("a");
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a->id, id);
}

}  // namespace
}  // namespace runnel::server
