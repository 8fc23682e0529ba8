// AlterConfigs at three levels, and producer-id blocks.

#include <gtest/gtest.h>

#include "broker/metadata/cluster_image.h"
#include "broker/metadata/config_decisions.h"
#include "broker/metadata/producer_id_decisions.h"
#include "test_cluster.h"

namespace runnel::metadata {
namespace {

using test::commit;

Image with_topic() { return commit(test::cluster(2), {TopicRecord{"t", test::uuid_of(1)}}); }

using Op = ConfigOp::Type;

TEST(AlterConfigs, TopicIncrementalSetAndRemove) {
  Image image = with_topic();
  config::BrokerConfig config;
  std::vector<ConfigResourceChange> set{{ConfigResourceType::topic, "t", {{"retention.ms", Op::set, "1000"},
                                                                        {"cleanup.policy", Op::set, "compact"}}}};
  ConfigDecisions d = alter_configs(image, config, set, true, false);
  ASSERT_TRUE(d.answers[0].has_value()) << d.answers[0].error().message;
  image = commit(image, d.records);
  EXPECT_EQ(image.topic_configs("t")->size(), 2u);

  std::vector<ConfigResourceChange> remove{{ConfigResourceType::topic, "t", {{"retention.ms", Op::remove, ""}}}};
  image = commit(image, alter_configs(image, config, remove, true, false).records);
  EXPECT_EQ(image.topic_configs("t")->size(), 1u);
  EXPECT_EQ(image.topic_configs("t")->at("cleanup.policy"), "compact");

  // Legacy AlterConfigs replaces the whole set.
  std::vector<ConfigResourceChange> legacy{{ConfigResourceType::topic, "t", {{"segment.ms", Op::set, "600000"}}}};
  image = commit(image, alter_configs(image, config, legacy, false, false).records);
  EXPECT_EQ(*image.topic_configs("t"), (ConfigMap{{"segment.ms", "600000"}}));
}

TEST(AlterConfigs, AppendAndSubtractOnATopicsListConfig) {
  Image image = with_topic();
  config::BrokerConfig config;
  // Not overridden yet: the list starts from the topic config's own default ("delete").
  std::vector<ConfigResourceChange> append{{ConfigResourceType::topic, "t", {{"cleanup.policy", Op::append, "compact"}}}};
  ConfigDecisions d = alter_configs(image, config, append, true, false);
  ASSERT_TRUE(d.answers[0].has_value()) << d.answers[0].error().message;
  image = commit(image, d.records);
  EXPECT_EQ(image.topic_configs("t")->at("cleanup.policy"), "delete,compact");
  image = commit(image, alter_configs(image, config, append, true, false).records);  // already there
  EXPECT_EQ(image.topic_configs("t")->at("cleanup.policy"), "delete,compact");
  std::vector<ConfigResourceChange> subtract{{ConfigResourceType::topic, "t", {{"cleanup.policy", Op::subtract, "delete"}}}};
  image = commit(image, alter_configs(image, config, subtract, true, false).records);
  EXPECT_EQ(image.topic_configs("t")->at("cleanup.policy"), "compact");
  std::vector<ConfigResourceChange> not_a_list{{ConfigResourceType::topic, "t", {{"retention.ms", Op::append, "5"}}}};
  d = alter_configs(image, config, not_a_list, true, false);
  ASSERT_FALSE(d.answers[0].has_value());
  EXPECT_EQ(d.answers[0].error().code, ErrorCode::invalid_config);
  EXPECT_EQ(d.answers[0].error().message, "Can't APPEND to key retention.ms because its type is not LIST.");
  // A broker's LIST config, as a cluster-wide default: from the config's own default too.
  std::vector<ConfigResourceChange> broker_append{
      {ConfigResourceType::broker, "", {{"log.cleanup.policy", Op::append, "compact"}}}};
  d = alter_configs(image, config, broker_append, true, false);
  ASSERT_TRUE(d.answers[0].has_value()) << d.answers[0].error().message;
  image = commit(image, d.records);
  EXPECT_EQ(image.configs().cluster_default.at("log.cleanup.policy"), "delete,compact");
}

TEST(AlterConfigs, Refusals) {
  Image image = with_topic();
  config::BrokerConfig config;
  auto code = [&](ConfigResourceChange c) {
    ConfigDecisions d = alter_configs(image, config, std::vector<ConfigResourceChange>{c}, true, false);
    EXPECT_TRUE(d.answers[0].has_value() || d.records.empty());
    return d.answers[0].has_value() ? ErrorCode::none : d.answers[0].error().code;
  };
  EXPECT_EQ(code({ConfigResourceType::topic, "t", {{"retention.ms", Op::set, "soon"}}}), ErrorCode::invalid_config);
  EXPECT_EQ(code({ConfigResourceType::topic, "t", {{"no.such.config", Op::set, "1"}}}), ErrorCode::invalid_config);
  EXPECT_EQ(code({ConfigResourceType::topic, "nope", {{"retention.ms", Op::set, "1"}}}),
            ErrorCode::unknown_topic_or_partition);
  EXPECT_EQ(code({ConfigResourceType::broker, "", {{"log.retention.ms", Op::append, "5"}}}),
            ErrorCode::invalid_config);  // APPEND is for LIST configs
  EXPECT_EQ(code({ConfigResourceType::broker, "x", {{"log.retention.ms", Op::set, "1"}}}), ErrorCode::invalid_request);
  EXPECT_EQ(code({ConfigResourceType::broker, "", {{"node.id", Op::set, "3"}}}), ErrorCode::invalid_request);
  EXPECT_EQ(code({ConfigResourceType::broker, "", {{"log.retention.ms", Op::set, "x"}}}), ErrorCode::invalid_config);
}

TEST(AlterConfigs, ClusterDefaultsReachTopicsEffectiveConfigs) {
  Image image = with_topic();
  config::BrokerConfig config;
  std::vector<ConfigResourceChange> c{{ConfigResourceType::broker, "", {{"log.retention.ms", Op::set, "7777"}}},
                                      {ConfigResourceType::broker, "1", {{"log.retention.ms", Op::set, "8888"}}}};
  ConfigDecisions d = alter_configs(image, config, c, true, false);
  ASSERT_TRUE(d.answers[0].has_value()) << d.answers[0].error().message;
  ASSERT_TRUE(d.answers[1].has_value()) << d.answers[1].error().message;
  image = commit(image, d.records);
  EXPECT_EQ(image.configs().cluster_default.at("log.retention.ms"), "7777");
  EXPECT_EQ(image.configs().brokers.at(NodeId(1)).at("log.retention.ms"), "8888");
  cluster::MetadataImage view = to_cluster_image(image, config, ClusterView{});
  EXPECT_EQ(view.topic("t")->effective.retention_ms, 7777);
  // Validate-only answers without records.
  EXPECT_TRUE(alter_configs(image, config, c, true, true).records.empty());
}

TEST(ProducerIds, BlocksFollowEachOtherAndNeedACurrentBroker) {
  Image image = test::cluster(2);
  auto first = allocate_producer_ids(image, NodeId(0), BrokerEpoch(100));
  ASSERT_TRUE(first.has_value());
  EXPECT_EQ(first->block.first_id, 0);
  EXPECT_EQ(first->block.size, kProducerIdBlockSize);
  image = commit(image, {first->record});
  auto second = allocate_producer_ids(image, NodeId(1), BrokerEpoch(101));
  EXPECT_EQ(second->block.first_id, kProducerIdBlockSize);
  EXPECT_EQ(allocate_producer_ids(image, NodeId(1), BrokerEpoch(3)).error().code, ErrorCode::stale_broker_epoch);
  EXPECT_EQ(allocate_producer_ids(image, NodeId(5), BrokerEpoch(3)).error().code, ErrorCode::broker_id_not_registered);
  Image full = commit(image, {ProducerIdsRecord{NodeId(0), BrokerEpoch(100), INT64_MAX - 10}});
  EXPECT_EQ(allocate_producer_ids(full, NodeId(0), BrokerEpoch(100)).error().code, ErrorCode::unknown_server_error);
}

}  // namespace
}  // namespace runnel::metadata
