#include "operator/api/runnel_topic.h"

#include <gtest/gtest.h>

namespace runnel::api {
namespace {

TEST(RunnelTopic, ParsesAndDefaultsTopicNameToMetadataName) {
  auto parsed = parse_topic(Json::parse(
      R"({"metadata": {"name": "orders", "namespace": "ns", "generation": 2},
          "spec": {"clusterRef": "demo", "partitions": 6, "replicationFactor": 1,
                   "config": {"cleanup.policy": "compact"}}})"));
  ASSERT_TRUE(parsed.has_value()) << parsed.error();
  const RunnelTopic& t = *parsed;
  EXPECT_EQ(t.spec.cluster_ref, "demo");
  EXPECT_EQ(t.spec.partitions, 6);
  EXPECT_EQ(t.spec.config.at("cleanup.policy"), "compact");
  EXPECT_EQ(t.kafka_topic_name(), "orders");
}

TEST(RunnelTopic, ExplicitTopicNameWins) {
  auto parsed = parse_topic(Json::parse(
      R"({"metadata": {"name": "orders-v2"}, "spec": {"clusterRef": "c", "topicName": "Orders_V2"}})"));
  ASSERT_TRUE(parsed.has_value());
  EXPECT_EQ(parsed->kafka_topic_name(), "Orders_V2");
  EXPECT_EQ(parsed->spec.partitions, 1);
  EXPECT_EQ(parsed->spec.replication_factor, 1);
}

TEST(RunnelTopic, Validation) {
  EXPECT_FALSE(parse_topic(Json::parse(R"({"spec": {}})")).has_value());
  EXPECT_FALSE(parse_topic(Json::parse(R"({"spec": {"clusterRef": "c", "partitions": 0}})")).has_value());
  EXPECT_FALSE(parse_topic(Json::parse(R"({"spec": {"clusterRef": "c", "replicationFactor": 0}})")).has_value());
  EXPECT_FALSE(parse_topic(Json::parse(R"({"metadata": {}})")).has_value());
}

TEST(RunnelTopic, StatusRoundTrip) {
  RunnelTopicStatus s;
  s.observed_generation = 3;
  s.topic_id = "abc";
  s.partitions = 4;
  s.config = {{"retention.ms", "10"}};
  set_condition(s.conditions, make_condition(kReady, true, "Created", "", 3), "2026-01-01T00:00:00Z");
  RunnelTopicStatus back = topic_status_from_json(to_json(s));
  EXPECT_EQ(back.topic_id, "abc");
  EXPECT_EQ(back.partitions, 4);
  EXPECT_EQ(back.config, s.config);
  EXPECT_EQ(back.conditions, s.conditions);
}

}  // namespace
}  // namespace runnel::api
