#pragma once

// Decisions about one partition's registration after creation: ISR changes requested by its
// leader (AlterPartition, KIP-497) and preferred-leader elections (ElectLeaders PREFERRED, and
// the controller's auto.leader.rebalance.enable task).

#include <span>
#include <vector>

#include "broker/metadata/image.h"
#include "broker/metadata/records.h"
#include "broker/metadata/refusal.h"

namespace runnel::metadata {

// One partition of an AlterPartition request, as the leader computed it.
struct AlterPartitionItem {
  Uuid topic_id;
  PartitionId partition{0};
  LeaderEpoch leader_epoch{0};        // the leader epoch the leader knows
  PartitionEpoch partition_epoch{0};  // the registration the new ISR was computed from
  std::vector<NodeId> new_isr;
};

struct AlterPartitionAnswer {
  NodeId leader = kNoLeader;
  LeaderEpoch leader_epoch{0};
  PartitionEpoch partition_epoch{0};  // after the change
  std::vector<NodeId> isr;
};

struct AlterPartitionDecision {
  std::vector<Record> records;
  std::vector<Answer<AlterPartitionAnswer>> answers;  // one per item
};

// Kafka's ReplicationControlManager.alterPartition checks, per item: the topic and partition
// exist (UNKNOWN_TOPIC_ID, UNKNOWN_TOPIC_OR_PARTITION); the sender leads it
// (NOT_LEADER_OR_FOLLOWER); its leader epoch is the current one (FENCED_LEADER_EPOCH when
// older; UNKNOWN_LEADER_EPOCH when newer, which means this image is behind); its
// partition epoch is the current one (INVALID_UPDATE_VERSION: it computed from a stale ISR); the
// new ISR holds the leader, repeats nobody, and has only replicas (INVALID_REQUEST); every member
// is unfenced and not shutting down (INELIGIBLE_REPLICA, KIP-841: a broker that cannot lead never
// joins an ISR). The whole request needs a current broker epoch (STALE_BROKER_EPOCH).
Answer<AlterPartitionDecision> alter_partition(const Image& image, NodeId broker, BrokerEpoch broker_epoch,
                                               std::span<const AlterPartitionItem> items);

// Moves leadership back to each partition's preferred replica (the first in the replica list)
// where that replica is in the ISR and eligible but does not lead: a PartitionChangeRecord per
// partition, at most `max_partitions` of them (the controller bounds each batch).
std::vector<Record> preferred_leader_elections(const Image& image, size_t max_partitions);

}  // namespace runnel::metadata
