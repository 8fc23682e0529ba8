#pragma once

// Validation of the records a producer sends in one partition of a Produce request, matching
// Apache Kafka's ProduceRequest.validateRecords + UnifiedLog.analyzeAndValidateRecords +
// LogValidator (client origin, magic v2), including which error code each failure returns:
//
//   no complete batch in the blob ............................... INVALID_RECORD
//   batch_length < 14 (Kafka's minimum) or magic outside 0..2 ..... CORRUPT_MESSAGE
//   magic 0 or 1 ................................................. INVALID_RECORD
//   zstd with Produce < v7 ........................................ UNSUPPORTED_COMPRESSION_TYPE
//   more than one batch ........................................... INVALID_RECORD
//   base_offset != 0 .............................................. INVALID_RECORD
//   batch bytes > max.message.bytes ............................... MESSAGE_TOO_LARGE
//   header shorter than 61 bytes or CRC-32C mismatch .............. CORRUPT_MESSAGE
//   unknown codec id (5..7) ....................................... CORRUPT_MESSAGE (*)
//   last_offset_delta + 1 != records_count, or count <= 0 ......... INVALID_RECORD
//   control batch from a client ................................... INVALID_RECORD
//   producer id set but base_sequence < 0 ......................... INVALID_RECORD
//   malformed record framing / undecodable compressed body ........ INVALID_RECORD
//   offset_delta != index of the record in the batch .............. INVALID_RECORD (*)
//   decompressed body > max_decompressed_bytes .................... MESSAGE_TOO_LARGE (*)
//   null key on a compacted topic ................................. INVALID_RECORD + record_errors
//   CreateTime timestamp outside [now-before, now+after] .......... INVALID_TIMESTAMP + record_errors
//   batch says LogAppendTime .................................... INVALID_TIMESTAMP + record_errors
//
// (*) Kafka differs: it fails unknown codecs with UNKNOWN_SERVER_ERROR (an uncaught
// IllegalArgumentException), rewrites compressed batches with gapped offset deltas instead of
// rejecting them, and has no decompression cap. MESSAGE_TOO_LARGE makes the Java producer split
// the batch and retry, which is the useful reaction to an over-large batch.
//
// Like Kafka, bytes after the last complete batch are ignored (Kafka trims them); `out` covers
// only the accepted batches. Uncompressed batches are validated without allocating; compressed
// bodies are inflated into a thread-local buffer that is reused across calls.

#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "broker/model/error_code.h"
#include "broker/model/result.h"
#include "broker/records/batch_header.h"

namespace runnel::records {

struct ValidationLimits {
  int32_t max_message_bytes = 1048588;  // max.message.bytes (Kafka's default)
  bool compacted_topic = false;         // cleanup.policy contains compact
  // message.timestamp.type; with LogAppendTime the caller then calls set_log_append_time().
  TimestampType topic_timestamp_type = TimestampType::create_time;
  int64_t now_ms = 0;
  // log.message.timestamp.before.max.ms / after.max.ms; only checked for CreateTime topics.
  int64_t ts_before_max_ms = std::numeric_limits<int64_t>::max();
  int64_t ts_after_max_ms = std::numeric_limits<int64_t>::max();
  // Cap on one batch's decompressed body (bomb guard). Not a Kafka property.
  size_t max_decompressed_bytes = 64u << 20;
};

struct BatchInfo {
  const uint8_t* data = nullptr;  // the whole batch, inside the validated blob
  size_t size = 0;
  BatchHeader header;
  // Largest record timestamp (base_timestamp + delta) and its offset delta, as Kafka computes
  // for a CreateTime batch; the caller writes it back with set_max_timestamp() like Kafka does.
  int64_t max_timestamp = no_timestamp;
  int32_t max_timestamp_offset_delta = -1;
};

// Kafka's ProduceResponse RecordErrors entry: index of the record within its batch.
struct RecordErrorInfo {
  int32_t batch_index = 0;
  std::string message;
};

// Why Produce data was refused. Validation here is Kafka's LogValidator, so its outcome is in
// Kafka's vocabulary: the error code, Kafka's message and, for per-record failures, Kafka's
// per-record errors.
struct ProduceRejection {
  ErrorCode code = ErrorCode::invalid_record;
  std::string message;
  std::vector<RecordErrorInfo> record_errors;
};

// Fills `out` (cleared first) when every batch is acceptable. Success allocates nothing.
Result<void, ProduceRejection> validate_produce_records(const uint8_t* data, size_t size, int16_t produce_version,
                                                        const ValidationLimits& limits, std::vector<BatchInfo>& out);

}  // namespace runnel::records
