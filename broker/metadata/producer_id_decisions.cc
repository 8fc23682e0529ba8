#include "broker/metadata/producer_id_decisions.h"

#include <limits>

#include "broker/metadata/broker_decisions.h"

namespace runnel::metadata {

Answer<ProducerIdsDecision> allocate_producer_ids(const Image& image, NodeId broker, BrokerEpoch epoch) {
  if (auto b = registered(image, broker, epoch); !b) return Unexpected(std::move(b).error());
  int64_t first = image.producer_ids().next_producer_id;
  if (first > std::numeric_limits<int64_t>::max() - kProducerIdBlockSize) {
    return refuse(ErrorCode::unknown_server_error, "Exhausted all producerIds as the next block's end producerId "
                                                   "has exceeded the int64 type limit");
  }
  ProducerIdsRecord record{broker, epoch, first + kProducerIdBlockSize};
  return ProducerIdsDecision{record, ProducerIdBlock{broker, first, kProducerIdBlockSize}};
}

}  // namespace runnel::metadata
