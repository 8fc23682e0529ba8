#pragma once

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "broker/config/config_def.h"

namespace runnel::config {

// A broker property a topic config falls back to, with the factor that converts the broker's
// unit to the topic's (log.retention.hours -> retention.ms multiplies by 3,600,000).
struct BrokerSynonym {
  std::string_view name;
  int64_t to_topic_unit = 1;
};

// A topic-level config: its definition (Kafka's LogConfig default, type and validator) and the
// broker properties it inherits from, in Kafka's order of precedence. The first synonym that is
// set wins; if none is set, the first synonym with a non-null broker default gives the value;
// a topic config with no synonyms uses its own default. Topic configs are always alterable, so
// `def.update_mode` is not meaningful here.
struct TopicConfigDef {
  ConfigDef def;
  std::vector<BrokerSynonym> synonyms;
};

// Kafka 4.0's topic configs, alphabetical as in Kafka's documentation, plus
// message.downconversion.enable (accepted as in Kafka 3.x).
std::span<const TopicConfigDef> topic_config_defs();

const TopicConfigDef* find_topic_config_def(std::string_view name);

}  // namespace runnel::config
