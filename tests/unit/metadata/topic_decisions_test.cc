// CreateTopics, DeleteTopics and CreatePartitions as decisions over an image.

#include <gtest/gtest.h>

#include "broker/metadata/topic_decisions.h"
#include "test_cluster.h"

namespace runnel::metadata {
namespace {

using test::cluster;
using test::commit;
using test::nodes;

config::BrokerConfig broker_config(int32_t partitions = 1, int32_t rf = 1) {
  config::BrokerConfig c;
  c.num_partitions = partitions;
  c.default_replication_factor = rf;
  return c;
}

TopicDecisions create(const Image& image, std::vector<NewTopic> topics, const config::BrokerConfig& config = broker_config(),
                      bool validate_only = false) {
  static test::CountingIds ids;
  return create_topics(image, config, topics, std::ref(ids), validate_only);
}

TEST(CreateTopics, RecordsForATopicApplyAndPlaceReplicas) {
  Image image = cluster(3);
  NewTopic t{"orders", 6, 3};
  t.configs["retention.ms"] = "60000";
  TopicDecisions d = create(image, {t});
  ASSERT_EQ(d.answers.size(), 1u);
  ASSERT_TRUE(d.answers[0].has_value()) << d.answers[0].error().message;
  EXPECT_EQ(d.answers[0]->partitions, 6);
  EXPECT_EQ(d.answers[0]->replication_factor, 3);
  ASSERT_EQ(d.records.size(), 1u + 1u + 6u);  // topic, config, partitions
  Image next = commit(image, d.records);
  const TopicImage* orders = next.topic("orders");
  ASSERT_NE(orders, nullptr);
  EXPECT_EQ(orders->id, d.answers[0]->topic_id);
  EXPECT_EQ(next.topic_configs("orders")->at("retention.ms"), "60000");
  std::map<NodeId, int> leaders;
  for (const PartitionRegistration& p : orders->partitions) {
    EXPECT_EQ(p.replicas.size(), 3u);
    EXPECT_EQ(p.isr, p.replicas);
    EXPECT_EQ(p.leader, p.replicas.front());
    ++leaders[p.leader];
  }
  for (const auto& [id, n] : leaders) EXPECT_EQ(n, 2) << id.value();
}

TEST(CreateTopics, DefaultsComeFromTheBrokerConfig) {
  TopicDecisions d = create(cluster(3), {NewTopic{"t"}}, broker_config(4, 2));
  ASSERT_TRUE(d.answers[0].has_value());
  EXPECT_EQ(d.answers[0]->partitions, 4);
  EXPECT_EQ(d.answers[0]->replication_factor, 2);
}

TEST(CreateTopics, KafkasRefusals) {
  Image image = commit(cluster(2), create(cluster(2), {NewTopic{"a.b"}}).records);
  auto code = [&](NewTopic t, const config::BrokerConfig& c = broker_config()) {
    TopicDecisions d = create(image, {std::move(t)}, c);
    EXPECT_TRUE(d.answers[0].has_value() || d.records.empty());
    return d.answers[0].has_value() ? ErrorCode::none : d.answers[0].error().code;
  };
  EXPECT_EQ(code(NewTopic{"bad name"}), ErrorCode::invalid_topic_exception);
  EXPECT_EQ(code(NewTopic{"a.b"}), ErrorCode::topic_already_exists);
  EXPECT_EQ(code(NewTopic{"a_b"}), ErrorCode::invalid_topic_exception);  // collides with a.b
  EXPECT_EQ(code(NewTopic{"t", 1, 3}), ErrorCode::invalid_replication_factor);
  EXPECT_EQ(code(NewTopic{"t"}, broker_config(1, 3)), ErrorCode::invalid_replication_factor);
  EXPECT_EQ(code(NewTopic{"t", 1, 0}), ErrorCode::invalid_replication_factor);
  EXPECT_EQ(code(NewTopic{"t", 0, 1}), ErrorCode::invalid_partitions);
  NewTopic bad_config{"t"};
  bad_config.configs["retention.ms"] = "soon";
  EXPECT_EQ(code(bad_config), ErrorCode::invalid_config);
  NewTopic counts_and_assignment{"t", 1, -1, {nodes({0})}};
  EXPECT_EQ(code(counts_and_assignment), ErrorCode::invalid_request);
  EXPECT_EQ(code(NewTopic{"t", -1, -1, {nodes({0, 7})}}), ErrorCode::invalid_replica_assignment);
  EXPECT_EQ(code(NewTopic{"t", -1, -1, {nodes({0, 0})}}), ErrorCode::invalid_replica_assignment);
  EXPECT_EQ(code(NewTopic{"t", -1, -1, {nodes({0, 1}), nodes({1})}}), ErrorCode::invalid_replica_assignment);
  EXPECT_EQ(code(NewTopic{"t", -1, -1, {nodes({1, 0}), nodes({0, 1})}}), ErrorCode::none);
}

TEST(CreateTopics, ReplicationFactorCountsUnfencedBrokersOnly) {
  Image image = commit(cluster(3), {BrokerRegistrationChangeRecord{NodeId(2), BrokerEpoch(102), FencingChange::fence}});
  TopicDecisions d = create(image, {NewTopic{"t", 1, 3}});
  EXPECT_EQ(d.answers[0].error().code, ErrorCode::invalid_replication_factor);
  // A manual assignment may name a fenced broker; it is just not in the ISR, and never leads.
  d = create(image, {NewTopic{"u", -1, -1, {nodes({2, 0})}}});
  ASSERT_TRUE(d.answers[0].has_value());
  Image next = commit(image, d.records);
  const PartitionRegistration& p = next.topic("u")->partitions[0];
  EXPECT_EQ(p.isr, nodes({0}));
  EXPECT_EQ(p.leader, NodeId(0));
  d = create(image, {NewTopic{"v", -1, -1, {nodes({2})}}});
  EXPECT_EQ(d.answers[0].error().code, ErrorCode::invalid_replication_factor);
}

TEST(CreateTopics, ABatchSeesItsOwnTopicsAndValidateOnlyWritesNothing) {
  Image image = cluster(3);
  TopicDecisions d = create(image, {NewTopic{"x"}, NewTopic{"x"}, NewTopic{"y"}});
  EXPECT_TRUE(d.answers[0].has_value());
  EXPECT_EQ(d.answers[1].error().code, ErrorCode::topic_already_exists);
  EXPECT_TRUE(d.answers[2].has_value());
  EXPECT_NE(d.answers[0]->topic_id, d.answers[2]->topic_id);
  EXPECT_EQ(commit(image, d.records).topics().size(), 2u);

  TopicDecisions dry = create(image, {NewTopic{"z", 3, 2}}, broker_config(), /*validate_only=*/true);
  EXPECT_TRUE(dry.answers[0].has_value());
  EXPECT_TRUE(dry.records.empty());
}

TEST(DeleteTopics, ByNameAndIdAndRefusals) {
  Image image = commit(cluster(1), create(cluster(1), {NewTopic{"a"}, NewTopic{"b"}}).records);
  Uuid b = image.topic("b")->id;
  std::vector<TopicRef> refs{{"a", {}}, {"", b}, {"a", {}}, {"", test::uuid_of(999)}};
  TopicDecisions d = delete_topics(image, config::BrokerConfig{}, refs);
  EXPECT_TRUE(d.answers[0].has_value());
  EXPECT_EQ(d.answers[1]->topic_id, b);
  EXPECT_EQ(d.answers[2].error().code, ErrorCode::unknown_topic_or_partition);  // already going
  EXPECT_EQ(d.answers[3].error().code, ErrorCode::unknown_topic_id);
  EXPECT_TRUE(commit(image, d.records).topics().empty());

  config::BrokerConfig no_delete;
  no_delete.delete_topic_enable = false;
  d = delete_topics(image, no_delete, std::vector<TopicRef>{{"a", {}}});
  EXPECT_EQ(d.answers[0].error().code, ErrorCode::topic_deletion_disabled);
  EXPECT_TRUE(d.records.empty());
}

TEST(CreatePartitions, GrowsWithTheTopicsReplicationFactor) {
  Image image = cluster(4, 2);
  image = commit(image, create(image, {NewTopic{"t", 2, 2}}).records);
  TopicDecisions d = create_partitions(image, "t", 6, std::nullopt, false);
  ASSERT_TRUE(d.answers[0].has_value()) << d.answers[0].error().message;
  Image next = commit(image, d.records);
  ASSERT_EQ(next.topic("t")->partitions.size(), 6u);
  for (const PartitionRegistration& p : next.topic("t")->partitions) {
    EXPECT_EQ(p.replicas.size(), 2u);
    EXPECT_NE(next.broker(p.replicas[0])->rack, next.broker(p.replicas[1])->rack);
  }
  auto code = [&](int32_t total, std::optional<std::vector<std::vector<NodeId>>> a = std::nullopt) {
    TopicDecisions r = create_partitions(image, "t", total, a, false);
    return r.answers[0].has_value() ? ErrorCode::none : r.answers[0].error().code;
  };
  EXPECT_EQ(code(2), ErrorCode::invalid_partitions);
  EXPECT_EQ(code(1), ErrorCode::invalid_partitions);
  EXPECT_EQ(code(4, std::vector<std::vector<NodeId>>{nodes({0, 1})}), ErrorCode::invalid_replica_assignment);
  EXPECT_EQ(code(3, std::vector<std::vector<NodeId>>{nodes({0})}), ErrorCode::invalid_replica_assignment);
  EXPECT_EQ(code(3, std::vector<std::vector<NodeId>>{nodes({3, 0})}), ErrorCode::none);
  EXPECT_EQ(create_partitions(image, "nope", 3, std::nullopt, false).answers[0].error().code,
            ErrorCode::unknown_topic_or_partition);
  EXPECT_TRUE(create_partitions(image, "t", 3, std::nullopt, /*validate_only=*/true).records.empty());
}

}  // namespace
}  // namespace runnel::metadata
