#pragma once

// Builds a complete magic v2 record batch (header, records, optional compression, CRC-32C).
// Used by tests and by the broker for batches it writes itself (internal topics, transaction
// markers). Not a hot path: it allocates freely.

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "broker/records/batch_header.h"

namespace runnel::records {

struct HeaderInput {
  std::string_view key;
  std::optional<std::string_view> value;  // nullopt: null header value
};

struct RecordInput {
  std::optional<std::string_view> key;    // nullopt: null key
  std::optional<std::string_view> value;  // nullopt: null value (a tombstone)
  std::vector<HeaderInput> headers;
  int64_t timestamp = 0;
};

struct BatchOptions {
  Compression compression = Compression::none;
  int compression_level = 0;  // 0: codec default
  int64_t base_offset = 0;
  int32_t partition_leader_epoch = no_partition_leader_epoch;
  int64_t producer_id = no_producer_id;
  int16_t producer_epoch = no_producer_epoch;
  int32_t base_sequence = no_sequence;
  bool transactional = false;
  bool control = false;
  TimestampType timestamp_type = TimestampType::create_time;
};

// Returns the encoded batch. `records` must not be empty (Kafka never writes empty batches from
// a producer). base_timestamp is the first record's timestamp; max_timestamp the largest.
std::vector<uint8_t> build_batch(const BatchOptions& options, std::span<const RecordInput> records);

// Control records (transaction markers) as written by the broker for WriteTxnMarkers.
enum class ControlType : int16_t { abort = 0, commit = 1 };

// A control batch holding one end-transaction marker: key = (version 0, type), value =
// (version 0, coordinator_epoch). `options.control` and `options.transactional` are forced on.
std::vector<uint8_t> build_control_batch(BatchOptions options, ControlType type,
                                         int32_t coordinator_epoch, int64_t timestamp);

}  // namespace runnel::records
