#include <gtest/gtest.h>

#include "broker/group/assignor_range.h"
#include "broker/group/assignor_uniform.h"
#include "tests/unit/group_consumer/harness.h"

namespace runnel::group::testing {
namespace {

const Uuid kA = topic_id(1), kB = topic_id(2), kC = topic_id(3);

AssignorMember member(const std::string& id, std::set<Uuid> topics, Assignment previous = {}) {
  return AssignorMember{id, std::nullopt, std::nullopt, std::move(topics), std::move(previous)};
}

// Every partition of every topic goes to exactly one member that subscribes to it.
void expect_complete_and_disjoint(const AssignorInput& in, const AssignorOutput& out) {
  std::map<std::pair<Uuid, int32_t>, int> seen;
  for (const AssignorMember& m : in.members) {
    auto it = out.find(m.id);
    ASSERT_NE(it, out.end()) << m.id << " missing from the output";
    for (const auto& [t, ps] : it->second) {
      EXPECT_TRUE(m.topics.count(t)) << m.id << " got a topic it does not subscribe to";
      for (int32_t p : ps) ++seen[{t, p}];
    }
  }
  for (const auto& [t, n] : in.topics) {
    bool subscribed = false;
    for (const AssignorMember& m : in.members) subscribed = subscribed || m.topics.count(t);
    for (int32_t p = 0; p < n; ++p) EXPECT_EQ((seen[{t, p}]), subscribed ? 1 : 0) << "partition " << p;
  }
}

std::vector<size_t> counts(const AssignorInput& in, const AssignorOutput& out) {
  std::vector<size_t> c;
  for (const AssignorMember& m : in.members) c.push_back(partition_count(out.at(m.id)));
  return c;
}

TEST(UniformAssignor, BalancesHomogeneousSubscriptions) {
  AssignorInput in;
  in.topics = {{kA, 6}, {kB, 1}};
  in.members = {member("m1", {kA, kB}), member("m2", {kA, kB}), member("m3", {kA, kB})};
  AssignorOutput out = UniformAssignor().assign(in);
  expect_complete_and_disjoint(in, out);
  auto c = counts(in, out);
  EXPECT_LE(*std::max_element(c.begin(), c.end()) - *std::min_element(c.begin(), c.end()), 1u);
}

TEST(UniformAssignor, BalancesWhereHeterogeneousSubscriptionsAllow) {
  AssignorInput in;
  in.topics = {{kA, 4}, {kB, 4}};
  // m1 can only take A; m2 and m3 take anything: 8 partitions, best is 3/3/2 or with m1 on A.
  in.members = {member("m1", {kA}), member("m2", {kA, kB}), member("m3", {kA, kB})};
  AssignorOutput out = UniformAssignor().assign(in);
  expect_complete_and_disjoint(in, out);
  auto c = counts(in, out);
  EXPECT_LE(*std::max_element(c.begin(), c.end()) - *std::min_element(c.begin(), c.end()), 1u);
}

TEST(UniformAssignor, IsStickyWhenAMemberJoinsOrLeaves) {
  AssignorInput in;
  in.topics = {{kA, 6}};
  in.members = {member("m1", {kA}), member("m2", {kA})};
  AssignorOutput first = UniformAssignor().assign(in);
  // A third member joins: each old member gives up exactly one partition, keeps the rest.
  in.members = {member("m1", {kA}, first["m1"]), member("m2", {kA}, first["m2"]), member("m3", {kA})};
  AssignorOutput second = UniformAssignor().assign(in);
  expect_complete_and_disjoint(in, second);
  EXPECT_EQ(counts(in, second), (std::vector<size_t>{2, 2, 2}));
  EXPECT_TRUE(is_subset(second["m1"], first["m1"]));
  EXPECT_TRUE(is_subset(second["m2"], first["m2"]));
  // m2 leaves: m1 and m3 keep theirs and split m2's.
  in.members = {member("m1", {kA}, second["m1"]), member("m3", {kA}, second["m3"])};
  AssignorOutput third = UniformAssignor().assign(in);
  expect_complete_and_disjoint(in, third);
  EXPECT_TRUE(is_subset(second["m1"], third["m1"]));
  EXPECT_TRUE(is_subset(second["m3"], third["m3"]));
  // Same input, same output.
  EXPECT_EQ(UniformAssignor().assign(in), third);
}

TEST(UniformAssignor, DropsPreviousPartitionsOfUnsubscribedOrShrunkTopics) {
  AssignorInput in;
  in.topics = {{kA, 2}};
  Assignment prev = {{kA, {0, 1, 5}}, {kC, {0}}};
  in.members = {member("m1", {kA}, prev)};
  AssignorOutput out = UniformAssignor().assign(in);
  EXPECT_EQ(out["m1"], parts(kA, {0, 1}));
}

TEST(RangeAssignor, CoPartitionsTopicsWithEqualPartitionCounts) {
  AssignorInput in;
  in.topics = {{kA, 6}, {kB, 6}};
  in.members = {member("m1", {kA, kB}), member("m2", {kA, kB})};
  AssignorOutput out = RangeAssignor().assign(in);
  expect_complete_and_disjoint(in, out);
  EXPECT_EQ(out["m1"].at(kA), (std::set<int32_t>{0, 1, 2}));
  EXPECT_EQ(out["m1"].at(kA), out["m1"].at(kB));
  EXPECT_EQ(out["m2"].at(kA), out["m2"].at(kB));
}

TEST(RangeAssignor, GivesTheRemainderToTheFirstMembers) {
  AssignorInput in;
  in.topics = {{kA, 7}, {kB, 2}};
  in.members = {member("m1", {kA}), member("m2", {kA, kB}), member("m3", {kA, kB})};
  AssignorOutput out = RangeAssignor().assign(in);
  expect_complete_and_disjoint(in, out);
  EXPECT_EQ(out["m1"].at(kA), (std::set<int32_t>{0, 1, 2}));
  EXPECT_EQ(out["m2"].at(kA), (std::set<int32_t>{3, 4}));
  EXPECT_EQ(out["m3"].at(kA), (std::set<int32_t>{5, 6}));
  EXPECT_EQ(out["m2"].at(kB), (std::set<int32_t>{0}));
  EXPECT_EQ(out["m3"].at(kB), (std::set<int32_t>{1}));
}

TEST(Assignors, FoundByKafkaNames) {
  ASSERT_NE(find_assignor("uniform"), nullptr);
  ASSERT_NE(find_assignor("range"), nullptr);
  EXPECT_EQ(find_assignor("uniform")->name(), "uniform");
  EXPECT_EQ(find_assignor("sticky"), nullptr);
}

}  // namespace
}  // namespace runnel::group::testing
