// The bridge to today's handlers: what cluster::MetadataImage they get from a metadata image.

#include <gtest/gtest.h>

#include "broker/metadata/cluster_image.h"
#include "test_records.h"

namespace runnel::metadata {
namespace {

using test::nodes;

TEST(ClusterImage, CarriesAliveBrokersTopicsPartitionsAndConfigs) {
  Uuid t = test::uuid_of(1);
  RegisterBrokerRecord two = test::broker(2, "r2");
  two.listeners.insert(two.listeners.begin(), Endpoint{"CONTROLLER", "ctl-2", 9093, 0});
  std::vector<Record> records{
      test::broker(1, "r1"), two, test::broker(3, std::nullopt, /*fenced=*/true), TopicRecord{"orders", t},
      ConfigRecord{ConfigResourceType::topic, "orders", "retention.ms", "60000"},
      PartitionRecord{PartitionId(0), t, nodes({1, 2}), nodes({1, 2}), {}, {}, NodeId(1), LeaderEpoch(4)},
      PartitionRecord{PartitionId(1), t, nodes({2, 3}), nodes({3}), {}, {}, NodeId(-1), LeaderEpoch(2)},
      TopicRecord{"__consumer_offsets", test::uuid_of(2)},
  };
  Image image = apply_all(Image{}, records, Offset(41)).value();
  config::BrokerConfig config;
  cluster::MetadataImage out = to_cluster_image(image, config, ClusterView{"cid", NodeId(1), "PLAINTEXT"});

  EXPECT_EQ(out.cluster_id, "cid");
  EXPECT_EQ(out.controller_id, NodeId(1));
  EXPECT_EQ(out.version, 42);
  ASSERT_EQ(out.brokers.size(), 2u);  // 3 is fenced
  EXPECT_EQ(out.brokers[1].node_id, NodeId(2));
  EXPECT_EQ(out.brokers[1].host, "broker-2");  // the client listener, not CONTROLLER
  EXPECT_EQ(out.brokers[1].rack, "r2");

  const cluster::TopicInfo* orders = out.topic("orders");
  ASSERT_NE(orders, nullptr);
  EXPECT_EQ(out.topic_by_id(t), orders);
  EXPECT_FALSE(orders->internal);
  EXPECT_TRUE(out.topic("__consumer_offsets")->internal);
  ASSERT_EQ(orders->partitions.size(), 2u);
  EXPECT_EQ(orders->partitions[0].leader, NodeId(1));
  EXPECT_EQ(orders->partitions[0].leader_epoch, LeaderEpoch(4));
  EXPECT_EQ(orders->partitions[1].leader, NodeId(-1));
  EXPECT_EQ(orders->partitions[1].isr, nodes({3}));
  EXPECT_EQ(orders->overrides.at("retention.ms"), "60000");
  EXPECT_EQ(orders->effective.retention_ms, 60000);
}

}  // namespace
}  // namespace runnel::metadata
