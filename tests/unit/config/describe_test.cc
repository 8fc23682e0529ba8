#include "broker/config/describe.h"
#include "broker/config/broker_config_defs.h"

#include <gtest/gtest.h>

namespace runnel::config {
namespace {

BrokerConfig broker(std::string_view text = "") {
  std::vector<std::string> warnings;
  Result<BrokerConfig> r = load(parse_properties(text).value(), {}, warnings);
  EXPECT_TRUE(r.has_value()) << r.error();
  return r.value();
}

const DescribedConfig& find(const std::vector<DescribedConfig>& all, std::string_view name) {
  for (const DescribedConfig& d : all) {
    if (d.name == name) return d;
  }
  ADD_FAILURE() << "missing " << name;
  static DescribedConfig none;
  return none;
}

TEST(Describe, BrokerConfigsCarrySourceTypeAndReadOnly) {
  std::vector<DescribedConfig> all = describe_broker_configs(broker("num.partitions=4\n"));
  const DescribedConfig& partitions = find(all, "num.partitions");
  EXPECT_EQ(partitions.value, "4");
  EXPECT_EQ(partitions.source, ConfigSource::static_broker);
  EXPECT_TRUE(partitions.read_only);
  EXPECT_EQ(partitions.type, ConfigType::int_);
  EXPECT_FALSE(partitions.documentation.empty());

  const DescribedConfig& segment = find(all, "log.segment.bytes");
  EXPECT_EQ(segment.value, "1073741824");
  EXPECT_EQ(segment.source, ConfigSource::default_config);
  EXPECT_FALSE(segment.read_only);

  const DescribedConfig& retention_ms = find(all, "log.retention.ms");
  EXPECT_EQ(retention_ms.value, std::nullopt);  // Kafka reports null when unset
  EXPECT_FALSE(retention_ms.read_only);
  ASSERT_EQ(retention_ms.synonyms.size(), 1u);
  EXPECT_EQ(retention_ms.synonyms[0].name, "log.retention.hours");
  EXPECT_EQ(retention_ms.synonyms[0].source, ConfigSource::default_config);

  EXPECT_TRUE(find(all, "log.retention.hours").read_only);
  EXPECT_EQ(all.size(), broker_config_defs().size());
}

TEST(Describe, TopicConfigsReportOverridesAndInheritance) {
  BrokerConfig b = broker("log.retention.hours=1\n");
  std::vector<DescribedConfig> all = describe_topic_configs(b, {{"cleanup.policy", "compact, delete"}});
  const DescribedConfig& policy = find(all, "cleanup.policy");
  EXPECT_EQ(policy.value, "compact,delete");
  EXPECT_EQ(policy.source, ConfigSource::topic);
  EXPECT_EQ(policy.type, ConfigType::list);
  ASSERT_GE(policy.synonyms.size(), 2u);
  EXPECT_EQ(policy.synonyms[0].source, ConfigSource::topic);
  EXPECT_EQ(policy.synonyms[1].name, "log.cleanup.policy");
  EXPECT_EQ(policy.synonyms[1].source, ConfigSource::default_config);

  const DescribedConfig& retention = find(all, "retention.ms");
  EXPECT_EQ(retention.value, "3600000");
  EXPECT_EQ(retention.source, ConfigSource::static_broker);
  ASSERT_EQ(retention.synonyms.size(), 2u);
  EXPECT_EQ(retention.synonyms[0].name, "log.retention.hours");
  EXPECT_EQ(retention.synonyms[0].value, "1");
  EXPECT_EQ(retention.synonyms[0].source, ConfigSource::static_broker);
  EXPECT_EQ(retention.synonyms[1].source, ConfigSource::default_config);

  const DescribedConfig& ratio = find(all, "min.cleanable.dirty.ratio");
  EXPECT_EQ(ratio.value, "0.5");
  EXPECT_EQ(ratio.type, ConfigType::double_);
  EXPECT_FALSE(ratio.read_only);

  const DescribedConfig& remote = find(all, "remote.storage.enable");
  EXPECT_EQ(remote.source, ConfigSource::default_config);
  EXPECT_TRUE(remote.synonyms.empty());
  EXPECT_EQ(all.size(), topic_config_defs().size());
}

TEST(Describe, BrokerUpdateModes) {
  Validation ro = validate_broker_config_update("num.partitions", "3", false);
  EXPECT_EQ(ro.error().code, ConfigErrc::not_updatable);
  EXPECT_EQ(ro.error().message, "Cannot update these configs dynamically: Set(num.partitions)");
  EXPECT_TRUE(validate_broker_config_update("log.retention.ms", "1000", true).has_value());
  EXPECT_TRUE(validate_broker_config_update("min.insync.replicas", "2", true).has_value());
  EXPECT_EQ(validate_broker_config_update("log.retention.hours", "2", true).error().code, ConfigErrc::not_updatable);
  EXPECT_EQ(validate_broker_config_update("listeners", "PLAINTEXT://:9092", true).error().code, ConfigErrc::not_updatable);
  EXPECT_TRUE(validate_broker_config_update("listeners", "PLAINTEXT://:9092", false).has_value());
  Validation bad = validate_broker_config_update("log.segment.bytes", "10", true);
  EXPECT_EQ(bad.error().code, ConfigErrc::invalid_value);
  EXPECT_EQ(bad.error().message, "Invalid value 10 for configuration log.segment.bytes: Value must be at least 1048576");
  EXPECT_TRUE(validate_broker_config_update("custom.plugin.setting", "x", true).has_value());
}

}  // namespace
}  // namespace runnel::config
