#pragma once

// Ids that only the cluster metadata speaks of. They live here rather than in model/ because
// nothing below this layer needs them yet.

#include <cstdint>

#include "broker/model/named_type.h"

namespace runnel::metadata {

// A broker's registration epoch: the metadata log offset of its RegisterBrokerRecord, as in
// KRaft. Heartbeats and registration changes carry it, so a stale incarnation is recognised.
using BrokerEpoch = NamedType<int64_t, struct BrokerEpochTag>;

// Bumped by every change of a partition's registration (replicas, ISR, leader). AlterPartition
// requests name the partition epoch they were computed from, so a stale ISR change is refused.
using PartitionEpoch = NamedType<int32_t, struct PartitionEpochTag>;

// Kafka's "no leader": the partition is offline.
inline constexpr NodeId kNoLeader{-1};

}  // namespace runnel::metadata
