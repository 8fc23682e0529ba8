#pragma once

// AlterConfigs and IncrementalAlterConfigs as a pure decision: the ConfigRecords that take each
// resource from its configs in the image to the requested ones, or why not. Three levels, as
// Kafka keeps them: a topic, one broker (by id), and the cluster-wide broker default (a broker
// resource with an empty name).

#include <optional>
#include <span>
#include <string>
#include <vector>

#include "broker/config/broker_config.h"
#include "broker/metadata/image.h"
#include "broker/metadata/records.h"
#include "broker/metadata/refusal.h"

namespace runnel::metadata {

// One operation, numbered as Kafka's AlterConfigOp.OpType.
struct ConfigOp {
  enum class Type : int8_t { set = 0, remove = 1, append = 2, subtract = 3 };
  std::string name;
  Type type = Type::set;
  std::string value;
};

struct ConfigResourceChange {
  ConfigResourceType type = ConfigResourceType::topic;
  std::string name;
  std::vector<ConfigOp> ops;
};

struct ConfigDecisions {
  std::vector<Record> records;
  std::vector<Answer<void>> answers;  // one per resource, in request order
};

// incremental=false (legacy AlterConfigs): the `set` ops become the resource's whole set of
// configs. incremental=true: the ops patch the current configs; APPEND and SUBTRACT work on LIST
// configs (config/list_op.h) and are INVALID_CONFIG on others. Topic configs are validated as on CreateTopics
// (INVALID_CONFIG), then the topic must exist (UNKNOWN_TOPIC_OR_PARTITION), as in Kafka; broker
// configs by config::validate_broker_config_update (read-only ones are INVALID_REQUEST).
ConfigDecisions alter_configs(const Image& image, const config::BrokerConfig& config,
                              std::span<const ConfigResourceChange> changes, bool incremental, bool validate_only);

}  // namespace runnel::metadata
