#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "broker/config/topic_config.h"
#include "broker/model/named_type.h"
#include "broker/model/uuid.h"

namespace runnel::cluster {

// An immutable snapshot of what the cluster looks like: brokers, topics, partition leaders.
// The controller builds a new image for every change and publishes it to every shard; shards
// read their own pointer without locks. A single broker is a cluster of one, but every
// partition already carries a leader, an epoch and a replica set, as replication will need.

struct BrokerInfo {
  NodeId node_id{0};
  std::string host;
  int32_t port = 0;
  std::optional<std::string> rack;
};

struct PartitionInfo {
  int32_t partition = 0;
  NodeId leader{-1};
  LeaderEpoch leader_epoch{0};
  std::vector<NodeId> replicas;
  std::vector<NodeId> isr;
};

struct TopicInfo {
  std::string name;
  Uuid id;
  bool internal = false;
  std::vector<PartitionInfo> partitions;
  config::RawConfigs overrides;  // topic-level configs as set by the user
  config::TopicConfig effective;  // broker defaults + overrides

  // A partition index from a request names one of this topic's partitions.
  bool has_partition(int32_t index) const {
    return index >= 0 && index < static_cast<int32_t>(partitions.size());
  }
};

struct MetadataImage {
  std::string cluster_id;
  NodeId controller_id{-1};
  int64_t version = 0;
  std::vector<BrokerInfo> brokers;
  std::map<std::string, std::shared_ptr<const TopicInfo>> topics;
  std::unordered_map<std::string, std::string> name_by_id;  // base64 topic id -> name

  const TopicInfo* topic(const std::string& name) const {
    auto it = topics.find(name);
    return it == topics.end() ? nullptr : it->second.get();
  }
  const TopicInfo* topic_by_id(const Uuid& id) const {
    auto it = name_by_id.find(id.to_base64());
    return it == name_by_id.end() ? nullptr : topic(it->second);
  }
};

using ImagePtr = std::shared_ptr<const MetadataImage>;

}  // namespace runnel::cluster
