#include <gtest/gtest.h>

#include "broker/admin/json_api.h"

namespace runnel::admin {
namespace {

TEST(JsonApi, LogLevelNames) {
  EXPECT_EQ(parse_level("DEBUG"), log::Level::debug);
  EXPECT_EQ(parse_level("warning"), log::Level::warn);
  EXPECT_EQ(parse_level("error"), log::Level::error);
  EXPECT_FALSE(parse_level("loud"));
  EXPECT_FALSE(parse_level(""));
  EXPECT_STREQ(level_name(log::Level::info), "info");
}

TEST(JsonApi, TopicsGroupPartitionsUnderTheirTopic) {
  metrics::BrokerProbe probe;
  probe.init(1);
  metrics::PartitionStats a0;
  a0.topic = "a";
  a0.partition = 0;
  a0.log_end_offset = 4;
  a0.size_bytes = 400;
  metrics::PartitionStats a1 = a0;
  a1.partition = 1;
  metrics::PartitionStats b0 = a0;
  b0.topic = "b";
  probe.shard(0).on_produced("a", 400, 4);
  probe.shard(0).publish({b0, a1, a0}, 1);
  nlohmann::json j = topics_json(PartitionView::gather(probe));
  ASSERT_EQ(j["topics"].size(), 2u);
  EXPECT_EQ(j["topics"][0]["name"], "a");
  EXPECT_EQ(j["topics"][0]["bytes_in"], 400);
  ASSERT_EQ(j["topics"][0]["partitions"].size(), 2u);
  EXPECT_EQ(j["topics"][0]["partitions"][1]["partition"], 1);
  EXPECT_EQ(j["topics"][0]["partitions"][1]["size_bytes"], 400);
  EXPECT_EQ(j["topics"][1]["name"], "b");
}

TEST(JsonApi, ConfigHidesNothingButSensitiveValues) {
  std::vector<std::string> warnings;
  auto cfg = config::load({}, {{"num.partitions", "3"}}, warnings);
  ASSERT_TRUE(cfg.has_value());
  nlohmann::json j = config_json(cfg.value());
  bool found = false;
  for (const auto& c : j["configs"]) {
    if (c["name"] == "num.partitions") {
      found = true;
      EXPECT_EQ(c["value"], "3");
      EXPECT_EQ(c["source"], "STATIC_BROKER_CONFIG");
    }
    if (c["sensitive"] == true) {
      EXPECT_TRUE(c["value"].is_null());
    }
  }
  EXPECT_TRUE(found);
}

metrics::QuorumSnapshot three_voters(const std::string& role, int32_t leader) {
  metrics::QuorumSnapshot q;
  q.node_id = 1;
  q.role = role;
  q.leader_id = leader;
  q.epoch = 4;
  q.high_watermark = 10;
  q.log_end_offset = 12;
  for (int32_t id = 1; id <= 3; ++id) q.voters.push_back({.id = id, .host = "127.0.0." + std::to_string(id), .port = 9093});
  return q;
}

config::BrokerConfig node_1() {
  std::vector<std::string> warnings;
  auto cfg = config::load({}, {{"node.id", "1"}}, warnings);
  EXPECT_TRUE(cfg.has_value());
  return cfg.value();
}

TEST(JsonApi, ClusterOnTheLeaderShowsEveryVotersLag) {
  config::BrokerConfig cfg = node_1();
  metrics::BrokerProbe probe;
  probe.init(1);
  probe.mark_metadata_loaded("cid");
  metrics::QuorumSnapshot q = three_voters("leader", 1);
  q.voters[0].log_end_offset = 12;
  q.voters[1].log_end_offset = 9;
  q.voters[1].last_fetch_age_ms = 30;
  probe.publish_quorum(std::make_shared<metrics::QuorumSnapshot>(q));
  nlohmann::json j = cluster_json(cfg, probe);
  EXPECT_EQ(j["cluster_id"], "cid");
  EXPECT_EQ(j["node_id"], 1);
  EXPECT_EQ(j["active_controller"], 1);
  EXPECT_EQ(j["quorum"]["role"], "leader");
  EXPECT_EQ(j["quorum"]["epoch"], 4);
  EXPECT_EQ(j["quorum"]["high_watermark"], 10);
  ASSERT_EQ(j["quorum"]["voters"].size(), 3u);
  EXPECT_EQ(j["quorum"]["voters"][1]["node_id"], 2);
  EXPECT_EQ(j["quorum"]["voters"][1]["host"], "127.0.0.2");
  EXPECT_EQ(j["quorum"]["voters"][1]["lag"], 3);
  EXPECT_EQ(j["quorum"]["voters"][1]["last_fetch_age_ms"], 30);
  EXPECT_EQ(j["quorum"]["voters"][0]["lag"], 0);
  EXPECT_TRUE(j["quorum"]["voters"][2]["lag"].is_null());  // the leader has not heard from it
  ASSERT_EQ(j["brokers"].size(), 1u);
  EXPECT_EQ(j["brokers"][0]["node_id"], 1);
  EXPECT_EQ(j["brokers"][0]["state"], "unfenced");
}

TEST(JsonApi, ClusterWithoutALeaderOrWithoutAQuorum) {
  config::BrokerConfig cfg = node_1();
  metrics::BrokerProbe probe;
  probe.init(1);
  nlohmann::json lone = cluster_json(cfg, probe);  // no quorum member runs here
  EXPECT_TRUE(lone["quorum"].is_null());
  EXPECT_TRUE(lone["active_controller"].is_null());
  // A prospective node still remembers the leader it is trying to replace: not an active one.
  probe.publish_quorum(std::make_shared<metrics::QuorumSnapshot>(three_voters("prospective", 3)));
  nlohmann::json j = cluster_json(cfg, probe);
  EXPECT_EQ(j["quorum"]["leader_id"], 3);
  EXPECT_TRUE(j["active_controller"].is_null());
  EXPECT_TRUE(j["quorum"]["voters"][0]["log_end_offset"].is_null());
  probe.mark_stopping();
  EXPECT_EQ(cluster_json(cfg, probe)["brokers"][0]["state"], "shutting_down");
}

TEST(JsonApi, ClusterOnAnObserverAndTheObserversOnTheLeader) {
  config::BrokerConfig cfg = node_1();
  metrics::BrokerProbe probe;
  probe.init(1);
  metrics::QuorumSnapshot observer = three_voters("observer", 2);
  observer.node_id = 4;
  observer.voter = false;
  probe.publish_quorum(std::make_shared<metrics::QuorumSnapshot>(observer));
  nlohmann::json j = cluster_json(cfg, probe);
  EXPECT_EQ(j["quorum"]["voter"], false);
  EXPECT_EQ(j["active_controller"], 2);
  metrics::QuorumSnapshot leader = three_voters("leader", 1);
  leader.observers = {{.id = 4, .log_end_offset = 11, .last_fetch_age_ms = 5}};
  probe.publish_quorum(std::make_shared<metrics::QuorumSnapshot>(leader));
  j = cluster_json(cfg, probe);
  ASSERT_EQ(j["quorum"]["observers"].size(), 1u);
  EXPECT_EQ(j["quorum"]["observers"][0]["node_id"], 4);
  EXPECT_EQ(j["quorum"]["observers"][0]["lag"], 1);
}

TEST(JsonApi, ClusterListsTheImagesBrokersOnceItHasOne) {
  config::BrokerConfig cfg = node_1();
  metrics::BrokerProbe probe;
  probe.init(1);
  metrics::QuorumSnapshot q = three_voters("follower", 2);
  q.brokers_known = true;
  q.brokers = {{.id = 1, .epoch = 10, .state = "unfenced", .endpoints = {{"PLAINTEXT", "127.0.0.1", 9092}}},
               {.id = 2, .epoch = 12, .state = "fenced", .rack = "r2"}};
  probe.publish_quorum(std::make_shared<metrics::QuorumSnapshot>(q));
  nlohmann::json j = cluster_json(cfg, probe);
  ASSERT_EQ(j["brokers"].size(), 2u);
  EXPECT_EQ(j["brokers"][0]["self"], true);
  EXPECT_EQ(j["brokers"][0]["epoch"], 10);
  EXPECT_EQ(j["brokers"][0]["endpoints"][0]["port"], 9092);
  EXPECT_EQ(j["brokers"][1]["state"], "fenced");
  EXPECT_EQ(j["brokers"][1]["rack"], "r2");
  EXPECT_EQ(j["brokers"][1]["self"], false);
}

}  // namespace
}  // namespace runnel::admin
