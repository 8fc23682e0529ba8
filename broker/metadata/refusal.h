#pragma once

// The client-visible answer of a controller decision. The decisions answer CreateTopics,
// DeleteTopics, CreatePartitions, AlterConfigs, AllocateProducerIds and BrokerRegistration
// directly, so their refusals are already in Kafka's vocabulary: the error code the response
// carries and Kafka's message text (empty where Kafka sends none).

#include <string>

#include "broker/model/error_code.h"
#include "broker/model/result.h"

namespace runnel::metadata {

struct Refusal {
  ErrorCode code = ErrorCode::unknown_server_error;
  std::string message;
};

template <typename T>
using Answer = Result<T, Refusal>;

inline Unexpected<Refusal> refuse(ErrorCode code, std::string message = {}) {
  return Unexpected(Refusal{code, std::move(message)});
}

}  // namespace runnel::metadata
