// AlterPartition (ISR changes from the leader) and preferred-leader elections.

#include <gtest/gtest.h>

#include "broker/metadata/broker_decisions.h"
#include "broker/metadata/partition_decisions.h"
#include "test_cluster.h"

namespace runnel::metadata {
namespace {

using test::commit;
using test::nodes;

const Uuid kTopic = test::uuid_of(5);

// Brokers 0..2; topic "t" partition 0 with replicas 0,1,2 all in sync, led by 0.
Image three() {
  return commit(test::cluster(3), {TopicRecord{"t", kTopic},
                                   PartitionRecord{PartitionId(0), kTopic, nodes({0, 1, 2}), nodes({0, 1, 2}), {}, {},
                                                   NodeId(0)}});
}

AlterPartitionItem shrink_to(std::vector<NodeId> isr, int32_t partition_epoch = 0, int32_t leader_epoch = 0) {
  return AlterPartitionItem{kTopic, PartitionId(0), LeaderEpoch(leader_epoch), PartitionEpoch(partition_epoch),
                            std::move(isr)};
}

ErrorCode code_of(const Image& image, AlterPartitionItem item, int32_t broker = 0) {
  auto d = alter_partition(image, NodeId(broker), image.broker(NodeId(broker))->epoch,
                           std::vector<AlterPartitionItem>{std::move(item)});
  if (!d) return d.error().code;
  return d->answers[0].has_value() ? ErrorCode::none : d->answers[0].error().code;
}

TEST(AlterPartition, ShrinkAndExpandTheIsr) {
  Image image = three();
  auto d = alter_partition(image, NodeId(0), BrokerEpoch(100), std::vector{shrink_to(nodes({0, 1}))});
  ASSERT_TRUE(d.has_value());
  ASSERT_TRUE(d->answers[0].has_value()) << d->answers[0].error().message;
  EXPECT_EQ(d->answers[0]->partition_epoch, PartitionEpoch(1));
  image = commit(image, d->records);
  const PartitionRegistration* p = image.partition(kTopic, PartitionId(0));
  EXPECT_EQ(p->isr, nodes({0, 1}));
  EXPECT_EQ(p->partition_epoch, d->answers[0]->partition_epoch);  // the answer matches what commits
  EXPECT_EQ(p->leader_epoch, LeaderEpoch(0));
  // The follower caught up again; computed from partition epoch 1.
  d = alter_partition(image, NodeId(0), BrokerEpoch(100), std::vector{shrink_to(nodes({0, 1, 2}), 1)});
  image = commit(image, d->records);
  EXPECT_EQ(image.partition(kTopic, PartitionId(0))->isr, nodes({0, 1, 2}));
}

TEST(AlterPartition, KafkasRefusals) {
  Image image = three();
  EXPECT_EQ(code_of(image, shrink_to(nodes({0, 1}), /*partition_epoch=*/3)), ErrorCode::invalid_update_version);
  EXPECT_EQ(code_of(image, shrink_to(nodes({0, 1}), 0, /*leader_epoch=*/-1)), ErrorCode::fenced_leader_epoch);
  EXPECT_EQ(code_of(image, shrink_to(nodes({0, 1}), 0, /*leader_epoch=*/1)), ErrorCode::unknown_leader_epoch);
  EXPECT_EQ(code_of(image, shrink_to(nodes({0, 1})), /*broker=*/1), ErrorCode::not_leader_or_follower);
  EXPECT_EQ(code_of(image, shrink_to(nodes({1, 2}))), ErrorCode::invalid_request);  // without the leader
  EXPECT_EQ(code_of(image, shrink_to(nodes({0, 0}))), ErrorCode::invalid_request);
  AlterPartitionItem unknown = shrink_to(nodes({0}));
  unknown.partition = PartitionId(4);
  EXPECT_EQ(code_of(image, unknown), ErrorCode::unknown_topic_or_partition);
  unknown.topic_id = test::uuid_of(99);
  EXPECT_EQ(code_of(image, unknown), ErrorCode::unknown_topic_id);
  EXPECT_EQ(alter_partition(image, NodeId(0), BrokerEpoch(1), std::vector{shrink_to(nodes({0}))}).error().code,
            ErrorCode::stale_broker_epoch);

  // KIP-841: a fenced broker never joins an ISR. Fence 2, which leaves the ISR; the leader's
  // attempt to add it back is refused.
  Image fenced = commit(image, fence_broker(image, NodeId(2), false).value().records);
  EXPECT_EQ(code_of(fenced, shrink_to(nodes({0, 1, 2}), 1)), ErrorCode::ineligible_replica);
}

TEST(PreferredLeader, MovesLeadershipBackWhenThePreferredReplicaIsInSync) {
  Image image = three();
  Image failed = commit(image, fence_broker(image, NodeId(0), false).value().records);
  EXPECT_EQ(failed.partition(kTopic, PartitionId(0))->leader, NodeId(1));
  // 0 returns: unfenced, but not in the ISR yet, so no election.
  Image back = commit(failed, unfence_broker(failed, NodeId(0), BrokerEpoch(100), false).value().records);
  EXPECT_TRUE(preferred_leader_elections(back, 100).empty());
  // The leader (1) adds 0 back to the ISR; now 0 is preferred and in sync.
  const PartitionRegistration* p = back.partition(kTopic, PartitionId(0));
  auto d = alter_partition(back, NodeId(1), BrokerEpoch(101),
                           std::vector{AlterPartitionItem{kTopic, PartitionId(0), p->leader_epoch, p->partition_epoch,
                                                          nodes({1, 2, 0})}});
  Image synced = commit(back, d.value().records);
  std::vector<Record> elections = preferred_leader_elections(synced, 100);
  ASSERT_EQ(elections.size(), 1u);
  Image rebalanced = commit(synced, elections);
  EXPECT_EQ(rebalanced.partition(kTopic, PartitionId(0))->leader, NodeId(0));
  EXPECT_TRUE(preferred_leader_elections(rebalanced, 100).empty());
  EXPECT_TRUE(preferred_leader_elections(synced, 0).empty());  // bounded
}

}  // namespace
}  // namespace runnel::metadata
