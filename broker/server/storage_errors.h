#pragma once

// The one place where a storage error becomes the Kafka error code a client sees. Handlers,
// the router and the group service call it; storage itself never names a Kafka code.

#include "broker/model/error_code.h"
#include "broker/storage/errc.h"

namespace runnel::server {

constexpr ErrorCode to_kafka(storage::Errc e) {
  switch (e) {
    case storage::Errc::none: return ErrorCode::none;
    // Kafka answers KAFKA_STORAGE_ERROR for a failed log dir; a full disk is one to Kafka too
    // (its appends throw an IOException), and clients retry it like any storage error.
    case storage::Errc::log_failed:
    case storage::Errc::out_of_space:
    case storage::Errc::closed: return ErrorCode::kafka_storage_error;
    case storage::Errc::offset_out_of_range: return ErrorCode::offset_out_of_range;
    case storage::Errc::out_of_order_sequence: return ErrorCode::out_of_order_sequence_number;
    case storage::Errc::invalid_producer_epoch: return ErrorCode::invalid_producer_epoch;
  }
  return ErrorCode::unknown_server_error;
}

}  // namespace runnel::server
