// Replica placement: even spread, rack awareness, leader balance over many topics.

#include <gtest/gtest.h>

#include <map>
#include <set>

#include "broker/metadata/replica_placer.h"
#include "test_cluster.h"

namespace runnel::metadata {
namespace {

using test::cluster;

std::string rack_of(const Image& image, NodeId id) { return image.broker(id)->rack.value_or("-"); }

TEST(ReplicaPlacer, ReplicasAreDistinctAndSpreadEvenly) {
  Image image = cluster(5);
  ReplicaPlacer placer(image);
  auto placed = placer.place(10, 3);
  ASSERT_TRUE(placed.has_value());
  std::map<NodeId, int> leaders, replicas;
  for (const auto& r : *placed) {
    ASSERT_EQ(r.size(), 3u);
    EXPECT_EQ(std::set<NodeId>(r.begin(), r.end()).size(), 3u);
    ++leaders[r.front()];
    for (NodeId id : r) ++replicas[id];
  }
  for (int32_t b = 0; b < 5; ++b) {
    EXPECT_EQ(leaders[NodeId(b)], 2) << b;
    EXPECT_EQ(replicas[NodeId(b)], 6) << b;
  }
}

TEST(ReplicaPlacer, EveryPartitionSpansAsManyRacksAsItCan) {
  // 3 racks of 2 brokers: rf 3 puts one replica in every rack.
  Image image = cluster(6, 3);
  ReplicaPlacer placer(image);
  auto placed = placer.place(30, 3).value();
  for (const auto& r : placed) {
    std::set<std::string> racks;
    for (NodeId id : r) racks.insert(rack_of(image, id));
    EXPECT_EQ(racks.size(), 3u);
  }
  // Uneven racks (rack-0: 0,2,4,6,7; rack-1: 1,3,5) and rf 2: both racks in every partition.
  Image uneven = test::commit(cluster(7, 2), {test::broker(7, "rack-0")});
  ReplicaPlacer uneven_placer(uneven);
  std::map<NodeId, int> leaders;
  auto uneven_placed = uneven_placer.place(80, 2).value();
  for (const auto& r : uneven_placed) {
    EXPECT_NE(rack_of(uneven, r[0]), rack_of(uneven, r[1]));
    ++leaders[r.front()];
  }
  for (const auto& [id, n] : leaders) EXPECT_EQ(n, 10) << id.value();
}

TEST(ReplicaPlacer, BrokersWithoutRackFormOneRack) {
  Image image = test::commit(cluster(2, 2), {test::broker(2), test::broker(3)});
  ReplicaPlacer placer(image);
  auto placed = placer.place(12, 3).value();
  for (const auto& r : placed) {
    std::set<std::string> racks;
    for (NodeId id : r) racks.insert(rack_of(image, id));
    EXPECT_EQ(racks.size(), 3u);  // rack-0, rack-1 and "no rack"
  }
}

TEST(ReplicaPlacer, OnlyUnfencedBrokersAndKafkasRefusals) {
  Image image = test::commit(cluster(3), {test::broker(3, std::nullopt, /*fenced=*/true),
                                          BrokerRegistrationChangeRecord{NodeId(2), BrokerEpoch(102),
                                                                         FencingChange::none, true}});
  ReplicaPlacer placer(image);
  EXPECT_EQ(placer.usable_brokers(), 2);
  auto placed = placer.place(10, 2).value();
  for (const auto& r : placed) {
    for (NodeId id : r) EXPECT_TRUE(id == NodeId(0) || id == NodeId(1)) << id.value();
  }
  auto too_many = placer.place(1, 3);
  ASSERT_FALSE(too_many.has_value());
  EXPECT_EQ(too_many.error().code, ErrorCode::invalid_replication_factor);
  EXPECT_EQ(too_many.error().message,
            "Unable to replicate the partition 3 time(s): The target replication factor of 3 cannot be reached "
            "because only 2 broker(s) are registered.");
  EXPECT_EQ(ReplicaPlacer(test::commit(Image{}, {test::broker(0, std::nullopt, true)})).place(1, 1).error().code,
            ErrorCode::invalid_replication_factor);
}

// Many small topics (1-4 partitions, rf 1-3) on 7 brokers in 3 racks of 3, 2 and 2: Kafka's
// random start leaves leaders skewed at these sizes; counting keeps every broker within one or
// two leaders of the others, and replicas even within each rack (a rack of 3 takes the same
// share as a rack of 2, so its brokers hold fewer each).
TEST(ReplicaPlacer, LeadersStayBalancedOverManyTopics) {
  Image image = cluster(7, 3);
  test::CountingIds ids;
  std::mt19937_64 rng(5);
  int total = 0;
  for (int t = 0; t < 500; ++t) {
    ReplicaPlacer placer(image);
    auto partitions = static_cast<int32_t>(1 + rng() % 4);
    auto rf = static_cast<int16_t>(1 + rng() % 3);
    auto placed = placer.place(partitions, rf).value();
    std::vector<Record> records{TopicRecord{"t" + std::to_string(t), ids()}};
    Uuid id = std::get<TopicRecord>(records[0]).topic_id;
    for (size_t p = 0; p < placed.size(); ++p) {
      records.push_back(PartitionRecord{PartitionId(static_cast<int32_t>(p)), id, placed[p], placed[p], {}, {},
                                        placed[p].front()});
    }
    total += partitions;
    image = test::commit(image, records);
  }
  ReplicaPlacer counts(image);
  int lo = INT32_MAX, hi = 0;
  std::map<std::string, std::pair<int, int>> replicas_by_rack;  // min, max
  for (int32_t b = 0; b < 7; ++b) {
    lo = std::min(lo, counts.leaders_of(NodeId(b)));
    hi = std::max(hi, counts.leaders_of(NodeId(b)));
    auto& [rlo, rhi] = replicas_by_rack.try_emplace(rack_of(image, NodeId(b)), INT32_MAX, 0).first->second;
    rlo = std::min(rlo, counts.replicas_of(NodeId(b)));
    rhi = std::max(rhi, counts.replicas_of(NodeId(b)));
  }
  std::printf("%d partitions of 500 topics on 7 brokers: leaders per broker %d..%d; replicas per broker:", total, lo,
              hi);
  for (const auto& [rack, range] : replicas_by_rack) std::printf(" %s %d..%d", rack.c_str(), range.first, range.second);
  std::printf("\n");
  EXPECT_LE(hi - lo, 2);
  for (const auto& [rack, range] : replicas_by_rack) EXPECT_LE(range.second - range.first, 0.05 * range.second) << rack;
}

}  // namespace
}  // namespace runnel::metadata
