#include "broker/config/config_def.h"

#include <gtest/gtest.h>

#include <set>

#include "broker/config/broker_config_defs.h"
#include "broker/config/topic_config_defs.h"

namespace runnel::config {
namespace {

const ConfigDef& broker_def(std::string_view name) {
  const ConfigDef* d = find_broker_config_def(name);
  EXPECT_NE(d, nullptr) << name;
  return *d;
}

std::string parse_error(std::string_view name, std::string_view raw) {
  Result<ConfigValue> r = parse_value(broker_def(name), raw);
  EXPECT_FALSE(r.has_value()) << name << "=" << raw;
  return r.has_value() ? "" : r.error();
}

TEST(ConfigDef, WireNumberingMatchesDescribeConfigs) {
  EXPECT_EQ(static_cast<int>(ConfigType::boolean), 1);
  EXPECT_EQ(static_cast<int>(ConfigType::string), 2);
  EXPECT_EQ(static_cast<int>(ConfigType::int_), 3);
  EXPECT_EQ(static_cast<int>(ConfigType::short_), 4);
  EXPECT_EQ(static_cast<int>(ConfigType::long_), 5);
  EXPECT_EQ(static_cast<int>(ConfigType::double_), 6);
  EXPECT_EQ(static_cast<int>(ConfigType::list), 7);
  EXPECT_EQ(static_cast<int>(ConfigType::class_), 8);
  EXPECT_EQ(static_cast<int>(ConfigType::password), 9);
  EXPECT_EQ(static_cast<int>(ConfigSource::topic), 1);
  EXPECT_EQ(static_cast<int>(ConfigSource::dynamic_broker), 2);
  EXPECT_EQ(static_cast<int>(ConfigSource::dynamic_default_broker), 3);
  EXPECT_EQ(static_cast<int>(ConfigSource::static_broker), 4);
  EXPECT_EQ(static_cast<int>(ConfigSource::default_config), 5);
}

TEST(ConfigDef, KafkaErrorMessages) {
  EXPECT_EQ(parse_error("num.partitions", "-5"),
            "Invalid value -5 for configuration num.partitions: Value must be at least 1");
  EXPECT_EQ(parse_error("num.partitions", "abc"),
            "Invalid value abc for configuration num.partitions: Not a number of type INT");
  EXPECT_EQ(parse_error("num.partitions", "3000000000"),
            "Invalid value 3000000000 for configuration num.partitions: Not a number of type INT");
  EXPECT_EQ(parse_error("offsets.topic.replication.factor", "40000"),
            "Invalid value 40000 for configuration offsets.topic.replication.factor: Not a number of type SHORT");
  EXPECT_EQ(parse_error("auto.create.topics.enable", "yes"),
            "Invalid value yes for configuration auto.create.topics.enable: Expected value to be either true or false");
  EXPECT_EQ(parse_error("compression.type", "brotli"),
            "Invalid value brotli for configuration compression.type: String must be one of: uncompressed, zstd, "
            "lz4, snappy, gzip, producer");
  EXPECT_EQ(parse_error("log.cleanup.policy", "delete,squash"),
            "Invalid value squash for configuration log.cleanup.policy: String must be one of: compact, delete");
  EXPECT_EQ(parse_error("log.cleaner.min.cleanable.ratio", "1.5"),
            "Invalid value 1.5 for configuration log.cleaner.min.cleanable.ratio: Value must be no more than 1");
  EXPECT_EQ(parse_error("compression.lz4.level", "18"),
            "Invalid value 18 for configuration compression.lz4.level: Value must be no more than 17");
  EXPECT_EQ(parse_error("log.segment.bytes", "1000"),
            "Invalid value 1000 for configuration log.segment.bytes: Value must be at least 1048576");
}

TEST(ConfigDef, ParsingTrimsAndIsCaseInsensitiveForBooleans) {
  Result<ConfigValue> b = parse_value(broker_def("delete.topic.enable"), "  TRUE ");
  ASSERT_TRUE(b.has_value());
  EXPECT_EQ(std::get<bool>(b.value()), true);
  Result<ConfigValue> n = parse_value(broker_def("num.partitions"), " +12 ");
  ASSERT_TRUE(n.has_value());
  EXPECT_EQ(std::get<int64_t>(n.value()), 12);
  Result<ConfigValue> l = parse_value(broker_def("log.cleanup.policy"), " compact , delete ");
  ASSERT_TRUE(l.has_value());
  EXPECT_EQ(std::get<std::vector<std::string>>(l.value()), (std::vector<std::string>{"compact", "delete"}));
  Result<ConfigValue> empty = parse_value(broker_def("log.cleanup.policy"), "   ");
  ASSERT_TRUE(empty.has_value());
  EXPECT_TRUE(std::get<std::vector<std::string>>(empty.value()).empty());
  Result<ConfigValue> d = parse_value(broker_def("log.cleaner.min.cleanable.ratio"), "0.25");
  ASSERT_TRUE(d.has_value());
  EXPECT_DOUBLE_EQ(std::get<double>(d.value()), 0.25);
}

TEST(ConfigDef, GzipLevelValidator) {
  const ConfigDef& d = broker_def("compression.gzip.level");
  EXPECT_TRUE(parse_value(d, "-1").has_value());
  EXPECT_TRUE(parse_value(d, "9").has_value());
  EXPECT_FALSE(parse_value(d, "0").has_value());
  EXPECT_FALSE(parse_value(d, "10").has_value());
}

TEST(ConfigDef, ThrottledReplicasValidator) {
  const TopicConfigDef* t = find_topic_config_def("leader.replication.throttled.replicas");
  ASSERT_NE(t, nullptr);
  EXPECT_TRUE(parse_value(t->def, "*").has_value());
  EXPECT_TRUE(parse_value(t->def, "0:1, 1:2").has_value());
  EXPECT_TRUE(parse_value(t->def, "").has_value());
  EXPECT_FALSE(parse_value(t->def, "0-1").has_value());
}

TEST(ConfigDef, JavaDoubleFormatting) {
  EXPECT_EQ(java_double_string(0.5), "0.5");
  EXPECT_EQ(java_double_string(1.0), "1.0");
  EXPECT_EQ(java_double_string(0.0), "0.0");
  EXPECT_EQ(java_double_string(1e-5), "1.0E-5");
  EXPECT_EQ(java_double_string(12345678.0), "1.2345678E7");
}

TEST(ConfigDef, ToStringMatchesKafkaConvertToString) {
  EXPECT_EQ(to_string(ConfigValue(std::vector<std::string>{"compact", "delete"})), "compact,delete");
  EXPECT_EQ(to_string(ConfigValue(true)), "true");
  EXPECT_EQ(to_string(ConfigValue(int64_t{-1})), "-1");
  EXPECT_EQ(to_string(ConfigValue(std::monostate{})), std::nullopt);
}

TEST(ConfigDef, EveryTableDefaultParsesAndNamesAreUnique) {
  std::set<std::string_view> seen;
  for (const ConfigDef& d : broker_config_defs()) {
    EXPECT_TRUE(seen.insert(d.name).second) << "duplicate " << d.name;
    if (d.default_value) {
      EXPECT_TRUE(parse_value(d, *d.default_value).has_value()) << d.name;
    }
    EXPECT_FALSE(d.doc.empty()) << d.name;
  }
  std::set<std::string_view> topics;
  for (const TopicConfigDef& t : topic_config_defs()) {
    EXPECT_TRUE(topics.insert(t.def.name).second) << "duplicate " << t.def.name;
    ASSERT_TRUE(t.def.default_value.has_value()) << t.def.name;
    EXPECT_TRUE(parse_value(t.def, *t.def.default_value).has_value()) << t.def.name;
    for (const BrokerSynonym& s : t.synonyms) {
      EXPECT_NE(find_broker_config_def(s.name), nullptr) << t.def.name << " -> " << s.name;
    }
  }
}

TEST(ConfigDef, ValidatorDescriptionsForDocs) {
  EXPECT_EQ(broker_def("num.partitions").validator.describe(), "[1,...]");
  EXPECT_EQ(broker_def("compression.lz4.level").validator.describe(), "[1,...,17]");
  EXPECT_EQ(broker_def("log.cleanup.policy").validator.describe(), "[compact, delete]");
  EXPECT_EQ(broker_def("log.cleaner.min.cleanable.ratio").validator.describe(), "[0,...,1]");
}

}  // namespace
}  // namespace runnel::config
