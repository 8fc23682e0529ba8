#pragma once

// The controller's topic decisions as pure functions: given the image and a request, the
// records to append and each item's answer. Nothing is applied here; the controller appends the
// records through the quorum, and the answers go out once they commit. Checks follow Kafka's
// ReplicationControlManager, in its order, with its messages.

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "broker/config/broker_config.h"
#include "broker/metadata/image.h"
#include "broker/metadata/records.h"
#include "broker/metadata/refusal.h"

namespace runnel::metadata {

// New topic ids. Production passes Uuid::random; tests a counter. An id that is zero or taken
// is drawn again.
using TopicIdSource = std::function<Uuid()>;

struct NewTopic {
  std::string name;
  int32_t partitions = -1;          // -1: num.partitions
  int16_t replication_factor = -1;  // -1: default.replication.factor
  std::vector<std::vector<NodeId>> assignment;  // explicit replicas per partition, if any
  ConfigMap configs;
};

struct TopicOutcome {
  Uuid topic_id;
  int32_t partitions = 0;
  int16_t replication_factor = 0;
};

struct TopicDecisions {
  std::vector<Record> records;               // to append, in order, as one atomic batch
  std::vector<Answer<TopicOutcome>> answers;  // one per request item, in request order
};

// CreateTopics. Each accepted topic is a TopicRecord, its ConfigRecords and its PartitionRecords
// (replicas placed by ReplicaPlacer; ISR = replicas that are unfenced; leader = first of those).
// With validate_only the answers are the same and no records are returned.
TopicDecisions create_topics(const Image& image, const config::BrokerConfig& config, std::span<const NewTopic> topics,
                             const TopicIdSource& new_id, bool validate_only);

struct TopicRef {
  std::string name;  // by name, or by id when empty
  Uuid id;
};

// DeleteTopics: a RemoveTopicRecord per topic.
TopicDecisions delete_topics(const Image& image, const config::BrokerConfig& config, std::span<const TopicRef> topics);

// CreatePartitions: grows `topic` to `new_total`, placing the new partitions with the topic's
// replication factor, or as `assignment` says.
TopicDecisions create_partitions(const Image& image, const std::string& topic, int32_t new_total,
                                 const std::optional<std::vector<std::vector<NodeId>>>& assignment,
                                 bool validate_only);

}  // namespace runnel::metadata
