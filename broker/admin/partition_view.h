#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "broker/metrics/broker_probe.h"

namespace runnel::admin {

// The broker's partitions and per-topic traffic as of the shards' latest snapshots, merged and
// sorted by (topic, partition). Holds the snapshots alive; pointers into them stay valid for the
// view's lifetime. Built on the admin thread; never touches shard state.
struct PartitionView {
  std::vector<std::shared_ptr<const metrics::ShardSnapshot>> snapshots;
  std::vector<const metrics::PartitionStats*> partitions;  // sorted by (topic, partition)
  std::vector<int> owner;                                  // shard of partitions[i]
  std::map<std::string, metrics::TopicTraffic> traffic;    // summed over shards
  int64_t oldest_ns = 0;                                    // taken_at of the oldest snapshot

  static PartitionView gather(const metrics::BrokerProbe& probe);
  // Binary search; nullptr when this broker does not host it.
  const metrics::PartitionStats* find(const std::string& topic, int32_t partition) const;
};

struct GroupLag {
  const metrics::GroupOffset* offset;
  int64_t high_watermark;  // -1 when the partition is not hosted here
  int64_t lag;             // high watermark - committed offset (>= 0), -1 when unknown
};

struct GroupView {
  std::shared_ptr<const metrics::GroupSnapshot> owner;  // keeps `stats` alive
  const metrics::GroupStats* stats;
  std::vector<GroupLag> lag;
};

// Every shard's published groups, sorted by id, with lag computed from `partitions`. A group
// with no committed offset for a partition (committed_offset < 0) gets lag -1.
std::vector<GroupView> gather_groups(const metrics::BrokerProbe& probe, const PartitionView& partitions);

}  // namespace runnel::admin
