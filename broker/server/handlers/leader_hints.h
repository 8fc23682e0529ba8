#pragma once

// KIP-951 leader hints: a Produce or Fetch answered NOT_LEADER_OR_FOLLOWER names the partition's
// current leader and epoch, and the response lists that leader's endpoint, so the client moves
// to it without a full metadata refresh (Produce v10+, Fetch v12+ for the leader, v16+ for the
// endpoints). The hint comes from this broker's metadata image; a partition with no leader gets
// none (-1).

#include <algorithm>
#include <string>
#include <vector>

#include "broker/cluster/metadata_image.h"
#include "broker/model/error_code.h"

namespace runnel::server::handlers {

// Fills `partition.current_leader` when `partition` carries NOT_LEADER_OR_FOLLOWER, and adds the
// leader's endpoint to `endpoints` once. PartitionT and EndpointT are the generated response
// types (ProduceResponse or FetchResponse).
template <typename PartitionT, typename EndpointT>
void add_leader_hint(const cluster::MetadataImage& image, const std::string& topic, int32_t index,
                     PartitionT& partition, std::vector<EndpointT>& endpoints) {
  if (partition.error_code != static_cast<int16_t>(ErrorCode::not_leader_or_follower)) return;
  const cluster::TopicInfo* t = image.topic(topic);
  if (t == nullptr || !t->has_partition(index)) return;
  const cluster::PartitionInfo& p = t->partitions[static_cast<size_t>(index)];
  if (p.leader.value() < 0) return;
  partition.current_leader.leader_id = p.leader.value();
  partition.current_leader.leader_epoch = p.leader_epoch.value();
  bool listed = std::any_of(endpoints.begin(), endpoints.end(),
                            [&](const EndpointT& e) { return e.node_id == p.leader.value(); });
  if (listed) return;
  for (const cluster::BrokerInfo& b : image.brokers) {
    if (b.node_id != p.leader) continue;
    EndpointT e;
    e.node_id = b.node_id.value();
    e.host = b.host;
    e.port = b.port;
    e.rack = b.rack;
    endpoints.push_back(std::move(e));
  }
}

}  // namespace runnel::server::handlers
