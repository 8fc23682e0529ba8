#pragma once

// AllocateProducerIds (KIP-730): brokers take producer ids in blocks from the controller, and
// the block is a ProducerIdsRecord before any id of it is handed out, so no id is ever given
// twice, across controller fail-overs and restarts.

#include <cstdint>

#include "broker/metadata/image.h"
#include "broker/metadata/records.h"
#include "broker/metadata/refusal.h"

namespace runnel::metadata {

// Kafka's ProducerIdManager block size.
inline constexpr int32_t kProducerIdBlockSize = 1000;

struct ProducerIdBlock {
  NodeId broker{-1};
  int64_t first_id = 0;  // the block is [first_id, first_id + size)
  int32_t size = 0;
};

struct ProducerIdsDecision {
  ProducerIdsRecord record;
  ProducerIdBlock block;
};

// The next block for `broker`, which must be registered with `epoch` (STALE_BROKER_EPOCH or
// BROKER_ID_NOT_REGISTERED otherwise).
Answer<ProducerIdsDecision> allocate_producer_ids(const Image& image, NodeId broker, BrokerEpoch epoch);

}  // namespace runnel::metadata
