#pragma once

// Where a group's requests go: the core that owns the group's __consumer_offsets partition
// (Kafka's coordinator is the leader of that partition). Handlers forward with on(...).

#include <string>

#include "broker/group/offsets_partition.h"
#include "broker/server/broker.h"
#include "broker/server/group_service.h"
#include "broker/server/shard.h"

namespace runnel::server::handlers {

inline Shard& group_shard(Shard& shard, const std::string& group_id) {
  Broker& broker = shard.broker();
  int32_t p = group::offsets_partition_for(group_id, broker.config().offsets_topic_num_partitions);
  return broker.shard(broker.owner_of(kOffsetsTopic, p));
}

}  // namespace runnel::server::handlers
