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

}  // namespace
}  // namespace runnel::admin
