#pragma once

#include <optional>
#include <string>
#include <vector>

#include "broker/config/broker_config.h"
#include "broker/config/config_def.h"

namespace runnel::config {

// What the DescribeConfigs handler needs for one entry; field meanings and numbering follow
// DescribeConfigsResponse (ConfigSource v1+, ConfigType and Documentation v3+).
struct ConfigSynonym {
  std::string name;
  std::optional<std::string> value;
  ConfigSource source;
};

struct DescribedConfig {
  std::string name;
  std::optional<std::string> value;  // nullopt is Kafka's null
  ConfigSource source = ConfigSource::default_config;
  bool read_only = false;
  bool is_sensitive = false;
  ConfigType type = ConfigType::unknown;
  std::string documentation;
  // Where the value could come from, highest precedence first, as Kafka lists them when
  // IncludeSynonyms is set (the entry itself is the first synonym).
  std::vector<ConfigSynonym> synonyms;
};

// Every broker property in table order. read_only is true for properties AlterConfigs cannot
// change (Kafka: not in DynamicBrokerConfig.AllDynamicConfigs).
std::vector<DescribedConfig> describe_broker_configs(const BrokerConfig& broker);

// Every topic config of a topic with `overrides`, alphabetical. Overridden ones report
// source TOPIC_CONFIG (1); inherited ones the source of the broker synonym that supplied them.
std::vector<DescribedConfig> describe_topic_configs(const BrokerConfig& broker, const RawConfigs& overrides);

// Checks one AlterConfigs / IncrementalAlterConfigs change on a broker resource.
// `cluster_default` is true for the empty resource name (cluster-wide default).
//   read-only property               -> not_updatable "Cannot update these configs dynamically: Set(x)"
//   per-broker property at cluster    -> not_updatable "Cannot update these configs at default cluster
//                                        level, broker id must be specified: Set(x)"
//   bad value                         -> invalid_value with Kafka's "Invalid value ..." text
// Unknown names are accepted, as Kafka stores unknown (plugin) broker configs.
Validation validate_broker_config_update(std::string_view name, std::string_view value, bool cluster_default);

}  // namespace runnel::config
