#pragma once

#include <compare>
#include <string>

#include "broker/model/named_type.h"

namespace runnel {

// One partition of one topic, as a value: what requests name and routing decides on.
struct TopicPartition {
  std::string topic;
  PartitionId partition{0};

  auto operator<=>(const TopicPartition&) const = default;
  // Kafka's directory name for the partition, "<topic>-<partition>".
  std::string to_string() const { return topic + "-" + std::to_string(partition.value()); }
};

}  // namespace runnel
