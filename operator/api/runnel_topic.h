#pragma once
// RunnelTopic (runnel.dev/v1alpha1): a Kafka topic on the RunnelCluster named by spec.clusterRef.
// Schema and defaults: crds/runneltopics.runnel.dev.yaml.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "operator/api/conditions.h"
#include "operator/api/object_meta.h"
#include "operator/api/parse_result.h"

namespace runnel::api {

inline constexpr const char* kTopicKind = "RunnelTopic";

struct RunnelTopicSpec {
  std::string cluster_ref;  // RunnelCluster name, same namespace
  std::optional<std::string> topic_name;
  int32_t partitions = 1;
  int32_t replication_factor = 1;
  StringMap config;  // topic configs (cleanup.policy, retention.ms, ...)
};

struct RunnelTopicStatus {
  std::vector<Condition> conditions;
  int64_t observed_generation = 0;
  std::string topic_id;  // the topic's UUID as the brokers report it
  int32_t partitions = 0;
  StringMap config;  // non-default configs the brokers actually have
};

struct RunnelTopic {
  ObjectMeta metadata;
  RunnelTopicSpec spec;
  RunnelTopicStatus status;

  // spec.topicName, or metadata.name when unset: lets a topic whose name is not a valid Kubernetes
  // name (upper case, underscores) still be managed.
  const std::string& kafka_topic_name() const {
    return spec.topic_name ? *spec.topic_name : metadata.name;
  }
};

// Fails when spec.clusterRef is missing, or partitions / replicationFactor are below 1.
Parsed<RunnelTopic> parse_topic(const Json& object);

Json to_json(const RunnelTopicSpec& spec);
Json to_json(const RunnelTopicStatus& status);
RunnelTopicStatus topic_status_from_json(const Json& status);
Json to_json(const RunnelTopic& topic);

}  // namespace runnel::api
