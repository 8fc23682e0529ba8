// Broker lifecycle decisions and Kafka's leader election rules.

#include <gtest/gtest.h>

#include "broker/metadata/broker_decisions.h"
#include "broker/metadata/leader_election.h"
#include "broker/metadata/topic_decisions.h"
#include "test_cluster.h"

namespace runnel::metadata {
namespace {

using test::cluster;
using test::commit;
using test::nodes;

const Uuid kTopic = test::uuid_of(77);

// Brokers 0..n-1 and topic "t" whose partition i has replicas `assignment[i]`, all in sync.
Image with_partitions(int32_t brokers, const std::vector<std::vector<NodeId>>& assignment) {
  std::vector<Record> records{TopicRecord{"t", kTopic}};
  for (size_t p = 0; p < assignment.size(); ++p) {
    records.push_back(PartitionRecord{PartitionId(static_cast<int32_t>(p)), kTopic, assignment[p], assignment[p], {},
                                      {}, assignment[p].front()});
  }
  return commit(cluster(brokers), records);
}

const PartitionRegistration& part(const Image& image, int32_t p) { return *image.partition(kTopic, PartitionId(p)); }

Image fence(const Image& image, int32_t broker) {
  return commit(image, fence_broker(image, NodeId(broker), false).value().records);
}
Image unfence(const Image& image, int32_t broker) {
  return commit(image, unfence_broker(image, NodeId(broker), image.broker(NodeId(broker))->epoch, false).value().records);
}

TEST(Fence, LeadershipMovesToTheNextReplicaInTheIsr) {
  Image image = with_partitions(3, {nodes({0, 1, 2}), nodes({1, 0, 2}), nodes({2, 1, 0})});
  Image fenced = fence(image, 0);
  EXPECT_EQ(fenced.broker(NodeId(0))->state(), BrokerState::fenced);
  // Partition 0 loses its leader: the first replica in ISR and unfenced is 1. Its leader epoch
  // moves; partitions 1 and 2 keep their leader and epoch, and only their ISR shrinks.
  EXPECT_EQ(part(fenced, 0).leader, NodeId(1));
  EXPECT_EQ(part(fenced, 0).isr, nodes({1, 2}));
  EXPECT_EQ(part(fenced, 0).leader_epoch, LeaderEpoch(1));
  EXPECT_EQ(part(fenced, 1).leader, NodeId(1));
  EXPECT_EQ(part(fenced, 1).isr, nodes({1, 2}));
  EXPECT_EQ(part(fenced, 1).leader_epoch, LeaderEpoch(0));
  EXPECT_EQ(part(fenced, 1).partition_epoch, PartitionEpoch(1));
  EXPECT_EQ(part(fenced, 2).isr, nodes({2, 1}));
  // Fencing again changes nothing.
  EXPECT_TRUE(fence_broker(fenced, NodeId(0), false).value().records.empty());
}

TEST(Fence, ReplicaOrderDecidesNotIsrOrder) {
  Image image = with_partitions(3, {nodes({0, 1, 2})});
  // ISR in another order than the replicas: the election follows the replica list.
  image = commit(image, {PartitionChangeRecord{PartitionId(0), kTopic, nodes({0, 2, 1})}});
  EXPECT_EQ(part(fence(image, 0), 0).leader, NodeId(1));
}

TEST(Fence, TheLastIsrMemberStaysAndThePartitionGoesOffline) {
  Image image = with_partitions(2, {nodes({0, 1})});
  image = commit(image, {PartitionChangeRecord{PartitionId(0), kTopic, nodes({0})}});  // 1 fell behind
  Image fenced = fence(image, 0);
  EXPECT_EQ(part(fenced, 0).leader, kNoLeader);
  EXPECT_TRUE(part(fenced, 0).offline());
  EXPECT_EQ(part(fenced, 0).isr, nodes({0}));  // KIP-841: never empty
  // 1 is alive but not in the ISR: no unclean election by default.
  EXPECT_EQ(part(unfence(fence(fenced, 1), 1), 0).leader, kNoLeader);
  // 0 comes back: it is in the ISR, so it leads again.
  Image back = unfence(fenced, 0);
  EXPECT_EQ(part(back, 0).leader, NodeId(0));
  EXPECT_EQ(part(back, 0).leader_epoch, LeaderEpoch(2));  // -1 then 0 again: two leader changes
}

TEST(Fence, AllReplicasFencedThenOneReturns) {
  Image image = with_partitions(3, {nodes({0, 1, 2})});
  Image down = fence(fence(fence(image, 0), 1), 2);
  EXPECT_EQ(part(down, 0).leader, kNoLeader);
  EXPECT_EQ(part(down, 0).isr, nodes({2}));  // the last one to leave keeps the latest records
  // 0 returns first but is not in the ISR; 2 returns and leads.
  Image one = unfence(down, 0);
  EXPECT_EQ(part(one, 0).leader, kNoLeader);
  Image two = unfence(one, 2);
  EXPECT_EQ(part(two, 0).leader, NodeId(2));
}

TEST(Fence, UncleanElectionWhenTheTopicAllowsIt) {
  Image image = with_partitions(2, {nodes({0, 1})});
  image = commit(image, {PartitionChangeRecord{PartitionId(0), kTopic, nodes({0})},
                         ConfigRecord{ConfigResourceType::topic, "t", "unclean.leader.election.enable", "true"}});
  Image fenced = fence(image, 0);
  EXPECT_EQ(part(fenced, 0).leader, NodeId(1));
  EXPECT_EQ(part(fenced, 0).isr, nodes({1}));
  // Or cluster-wide, or the broker's static default.
  Image other = with_partitions(2, {nodes({0, 1})});
  other = commit(other, {PartitionChangeRecord{PartitionId(0), kTopic, nodes({0})}});
  EXPECT_EQ(part(commit(other, fence_broker(other, NodeId(0), /*unclean_default=*/true).value().records), 0).leader,
            NodeId(1));
  EXPECT_TRUE(unclean_election_enabled(commit(other, {ConfigRecord{ConfigResourceType::broker, "",
                                                                    "unclean.leader.election.enable", "true"}}),
                                       "t", false));
}

TEST(ControlledShutdown, MovesLeadershipAndIsrAwayWhileServing) {
  Image image = with_partitions(3, {nodes({0, 1, 2}), nodes({1, 0, 2})});
  auto d = begin_controlled_shutdown(image, NodeId(0), image.broker(NodeId(0))->epoch, false);
  ASSERT_TRUE(d.has_value());
  Image next = commit(image, d->records);
  EXPECT_EQ(next.broker(NodeId(0))->state(), BrokerState::shutting_down);
  EXPECT_EQ(part(next, 0).leader, NodeId(1));
  EXPECT_EQ(part(next, 1).isr, nodes({1, 2}));
  EXPECT_EQ(begin_controlled_shutdown(image, NodeId(0), BrokerEpoch(5), false).error().code,
            ErrorCode::stale_broker_epoch);
}

TEST(Registration, NewRegistrationsAreFencedAndDuplicatesRefused) {
  Image image = cluster(2);
  BrokerRegistrationRequest again{NodeId(1), test::uuid_of(5), {Endpoint{"PLAINTEXT", "h", 1, 0}}, "r"};
  // Broker 1 is alive under another incarnation.
  EXPECT_EQ(register_broker(image, again, BrokerEpoch(500), false).error().code,
            ErrorCode::duplicate_broker_registration);
  // Once fenced (its session expired), a restarted process takes the id over.
  Image fenced = fence(image, 1);
  auto d = register_broker(fenced, again, BrokerEpoch(500), false);
  ASSERT_TRUE(d.has_value());
  Image next = commit(fenced, d->records);
  EXPECT_EQ(next.broker(NodeId(1))->epoch, BrokerEpoch(500));
  EXPECT_EQ(next.broker(NodeId(1))->state(), BrokerState::fenced);
  EXPECT_EQ(next.broker(NodeId(1))->rack, "r");
  EXPECT_EQ(unfence_broker(next, NodeId(1), BrokerEpoch(101), false).error().code, ErrorCode::stale_broker_epoch);
  EXPECT_EQ(unfence_broker(next, NodeId(9), BrokerEpoch(101), false).error().code, ErrorCode::broker_id_not_registered);
}

TEST(Registration, RestartOfALeaderReElects) {
  Image image = with_partitions(2, {nodes({0, 1})});
  BrokerRegistrationRequest restart{NodeId(0), test::uuid_of(1000), {}, std::nullopt};  // same incarnation id
  Image next = commit(image, register_broker(image, restart, BrokerEpoch(900), false).value().records);
  EXPECT_EQ(part(next, 0).leader, NodeId(1));
}

TEST(Unregister, RemovesTheBrokerAfterMovingLeadership) {
  Image image = with_partitions(2, {nodes({0, 1})});
  Image next = commit(image, unregister_broker(image, NodeId(0), false).value().records);
  EXPECT_EQ(next.broker(NodeId(0)), nullptr);
  EXPECT_EQ(part(next, 0).leader, NodeId(1));
  EXPECT_EQ(part(next, 0).isr, nodes({1}));
}

// 200 topics of 3 partitions, rf 3, on 6 brokers in 3 racks. Fencing one broker moves exactly
// its leaderships, spread over the others; no partition goes offline; unfencing brings no
// leadership back by itself (that is the preferred-leader election's job), but every partition
// whose ISR it was in is still led.
TEST(Fence, LeadershipSpreadsOverTheSurvivors) {
  Image image = cluster(6, 3);
  config::BrokerConfig config;
  test::CountingIds ids;
  for (int t = 0; t < 200; ++t) {
    image = commit(image, create_topics(image, config, std::vector<NewTopic>{NewTopic{"t" + std::to_string(t), 3, 3}},
                                        std::ref(ids), false)
                              .records);
  }
  auto leaders = [](const Image& img) {
    std::map<NodeId, int> out;
    for (const auto& [id, t] : img.topics()) {
      for (const auto& p : t->partitions) ++out[p.leader];
    }
    return out;
  };
  auto before = leaders(image);
  Image fenced = fence(image, 0);
  auto after = leaders(fenced);
  EXPECT_EQ(after.count(kNoLeader), 0u);
  EXPECT_EQ(after.count(NodeId(0)), 0u);
  int lo = INT32_MAX, hi = 0;
  for (int32_t b = 1; b < 6; ++b) {
    EXPECT_GE(after[NodeId(b)], before[NodeId(b)]);
    lo = std::min(lo, after[NodeId(b)]);
    hi = std::max(hi, after[NodeId(b)]);
  }
  std::printf("leaders before: broker 0 had %d of 600; after fencing it: %d..%d per surviving broker\n",
              before[NodeId(0)], lo, hi);
  EXPECT_LE(hi - lo, 0.25 * hi);
}

}  // namespace
}  // namespace runnel::metadata
