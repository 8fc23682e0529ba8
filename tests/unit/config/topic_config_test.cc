#include "broker/config/topic_config.h"

#include <gtest/gtest.h>

#include "broker/config/broker_config.h"

namespace runnel::config {
namespace {

BrokerConfig broker(std::string_view text = "") {
  std::vector<std::string> warnings;
  Result<BrokerConfig> r = load(parse_properties(text).value(), {}, warnings);
  EXPECT_TRUE(r.has_value()) << r.error();
  return r.value();
}

TEST(TopicConfig, UnknownNameIsInvalidConfig) {
  Validation e = validate_topic_overrides(broker(), {{"retention.ms", "1000"}, {"retention.hours", "1"}});
  EXPECT_EQ(e.error().code, ConfigErrc::invalid_value);
  EXPECT_EQ(e.error().message, "Unknown topic config name: retention.hours");
}

TEST(TopicConfig, BrokerNamesAreNotTopicNames) {
  Validation e = validate_topic_overrides(broker(), {{"log.retention.ms", "1000"}});
  EXPECT_EQ(e.error().code, ConfigErrc::invalid_value);
  EXPECT_EQ(e.error().message, "Unknown topic config name: log.retention.ms");
}

TEST(TopicConfig, OutOfRangeAndBadTypes) {
  BrokerConfig b = broker();
  Validation e = validate_topic_overrides(b, {{"retention.ms", "-2"}});
  EXPECT_EQ(e.error().code, ConfigErrc::invalid_value);
  EXPECT_EQ(e.error().message, "Invalid value -2 for configuration retention.ms: Value must be at least -1");
  e = validate_topic_overrides(b, {{"segment.bytes", "3"}});
  EXPECT_EQ(e.error().message, "Invalid value 3 for configuration segment.bytes: Value must be at least 1048576");
  e = validate_topic_overrides(b, {{"retention.ms", "abc"}});
  EXPECT_EQ(e.error().message, "Invalid value abc for configuration retention.ms: Not a number of type LONG");
  e = validate_topic_overrides(b, {{"cleanup.policy", "weird"}});
  EXPECT_EQ(e.error().message, "Invalid value weird for configuration cleanup.policy: String must be one of: compact, delete");
  e = validate_topic_overrides(b, {{"preallocate", "maybe"}});
  EXPECT_EQ(e.error().code, ConfigErrc::invalid_value);
  e = validate_topic_overrides(b, {{"min.cleanable.dirty.ratio", "1.01"}});
  EXPECT_EQ(e.error().message,
            "Invalid value 1.01 for configuration min.cleanable.dirty.ratio: Value must be no more than 1");
  e = validate_topic_overrides(b, {{"compression.type", "none"}});
  EXPECT_EQ(e.error().code, ConfigErrc::invalid_value);
}

TEST(TopicConfig, AcceptsValidOverrides) {
  BrokerConfig b = broker();
  RawConfigs ok{{"cleanup.policy", "compact,delete"}, {"compression.type", "zstd"}, {"retention.ms", "-1"},
                {"segment.bytes", "1048576"},        {"min.insync.replicas", "2"},  {"message.downconversion.enable", "false"},
                {"remote.storage.enable", "false"},  {"local.retention.ms", "-2"}, {"max.message.bytes", "10"}};
  EXPECT_TRUE(validate_topic_overrides(b, ok).has_value()) << validate_topic_overrides(b, ok).error().message;
  Result<TopicConfig> t = make_topic_config(b.layers, ok);
  ASSERT_TRUE(t.has_value()) << t.error();
  EXPECT_TRUE(t.value().cleanup_compact);
  EXPECT_TRUE(t.value().cleanup_delete);
  EXPECT_EQ(t.value().compression_type, CompressionType::zstd);
  EXPECT_EQ(t.value().retention_ms, -1);
  EXPECT_EQ(t.value().segment_bytes, 1048576);
  EXPECT_EQ(t.value().min_insync_replicas, 2);
  EXPECT_FALSE(t.value().message_downconversion_enable);
  EXPECT_EQ(t.value().max_message_bytes, 10);
  EXPECT_EQ(t.value().overrides, ok);
}

TEST(TopicConfig, CompactionLagConflictUsesBrokerDefaults) {
  Validation e = validate_topic_overrides(broker("log.cleaner.max.compaction.lag.ms=100\n"),
                                           {{"min.compaction.lag.ms", "200"}});
  EXPECT_EQ(e.error().code, ConfigErrc::invalid_value);
  EXPECT_EQ(e.error().message, "conflict topic config setting min.compaction.lag.ms (200) > max.compaction.lag.ms (100)");
}

TEST(TopicConfig, RemoteStorageRejectedAsKafkaDoesWithoutTieredStorage) {
  Validation e = validate_topic_overrides(broker(), {{"remote.storage.enable", "true"}});
  EXPECT_EQ(e.error().code, ConfigErrc::invalid_value);
  EXPECT_NE(e.error().message.find("Tiered Storage functionality is disabled in the broker"), std::string::npos);
}

TEST(TopicConfig, InheritsFromBrokerWithUnitConversion) {
  BrokerConfig b = broker("log.retention.minutes=30\nlog.roll.hours=2\nlog.segment.bytes=2097152\n"
                          "log.cleaner.min.cleanable.ratio=0.1\n");
  Result<TopicConfig> t = topic_config_for(b, {{"segment.bytes", "4194304"}});
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(t.value().retention_ms, 30 * 60000);
  EXPECT_EQ(t.value().segment_ms, 2 * 3600000);
  EXPECT_EQ(t.value().segment_bytes, 4194304);  // topic override beats broker
  EXPECT_DOUBLE_EQ(t.value().min_cleanable_dirty_ratio, 0.1);
  EXPECT_EQ(b.topic_defaults.segment_bytes, 2097152);
}

TEST(TopicConfig, InheritedValueReportsSource) {
  BrokerConfig b = broker("log.retention.hours=2\n");
  const TopicConfigDef* retention = find_topic_config_def("retention.ms");
  ASSERT_NE(retention, nullptr);
  InheritedValue v = inherited_value(*retention, b.layers);
  EXPECT_EQ(v.value, "7200000");
  EXPECT_EQ(v.source, ConfigSource::static_broker);

  InheritedValue d = inherited_value(*retention, broker().layers);
  EXPECT_EQ(d.value, "604800000");
  EXPECT_EQ(d.source, ConfigSource::default_config);

  BrokerLayers dynamic = b.layers;
  dynamic.dynamic_default["log.retention.ms"] = "5000";
  InheritedValue dd = inherited_value(*retention, dynamic);
  EXPECT_EQ(dd.value, "5000");
  EXPECT_EQ(dd.source, ConfigSource::dynamic_default_broker);

  const TopicConfigDef* remote = find_topic_config_def("remote.storage.enable");
  ASSERT_NE(remote, nullptr);
  EXPECT_EQ(inherited_value(*remote, b.layers).value, "false");
}

}  // namespace
}  // namespace runnel::config
