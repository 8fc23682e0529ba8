#include "broker/records/validate.h"

#include <cinttypes>
#include <cstdarg>
#include <cstdio>

#include "broker/records/batch_splitter.h"
#include "broker/records/bytes.h"
#include "broker/records/compression.h"
#include "broker/records/record_iterator.h"

namespace runnel::records {
namespace {

constexpr int16_t kFirstZstdProduceVersion = 7;
// Holding on to the memory of one huge batch forever would tax every later small one.
constexpr size_t kKeepBufferBytes = 16u << 20;

// Sets the message only when the caller asked for one: messages allocate, the success path
// must not.
__attribute__((format(printf, 3, 4))) ErrorCode fail(ErrorCode code, std::string* message,
                                                     const char* fmt, ...) {
  if (message != nullptr) {
    char buf[256];
    va_list args;
    va_start(args, fmt);
    std::vsnprintf(buf, sizeof buf, fmt, args);
    va_end(args);
    *message = buf;
  }
  return code;
}

// Kafka's ProduceRequest.validateRecords: exactly one v2 batch, zstd only from Produce v7.
ErrorCode check_request_shape(const uint8_t* data, size_t size, int16_t version, size_t& batch_size,
                              std::string* message) {
  Result<size_t, CorruptBatch> first = next_batch(data, size);
  if (!first) return fail(ErrorCode::corrupt_message, message, "%s", first.error().message().c_str());
  batch_size = *first;
  if (batch_size == 0) {
    return fail(ErrorCode::invalid_record, message,
                "Produce requests with version %d must have at least one record batch per partition",
                version);
  }
  if (data[layout::magic] != uint8_t(magic_v2)) {
    return fail(ErrorCode::invalid_record, message,
                "Produce requests with version %d are only allowed to contain record batches with "
                "magic version 2",
                version);
  }
  uint16_t attributes = load_be16(data + layout::attributes);
  if (version < kFirstZstdProduceVersion &&
      (attributes & attr::compression_mask) == uint16_t(Compression::zstd)) {
    return fail(ErrorCode::unsupported_compression_type, message,
                "Produce requests with version %d are not allowed to use ZStandard compression",
                version);
  }
  Result<size_t, CorruptBatch> second = next_batch(data + batch_size, size - batch_size);
  if (!second) return fail(ErrorCode::corrupt_message, message, "%s", second.error().message().c_str());
  if (*second != 0) {
    return fail(ErrorCode::invalid_record, message,
                "Produce requests with version %d are only allowed to contain exactly one record "
                "batch per partition",
                version);
  }
  return ErrorCode::none;
}

// Kafka's UnifiedLog.analyzeAndValidateRecords and LogValidator.validateBatch (client origin).
ErrorCode check_batch(const uint8_t* data, size_t size, const ValidationLimits& limits,
                      BatchHeader& h, std::string* message) {
  // Kafka's order: base offset, then size, then CRC. A batch shorter than its header fails the
  // CRC check (Kafka's isValid() requires a whole header too).
  int64_t base_offset = int64_t(load_be64(data + layout::base_offset));
  if (base_offset != 0) {
    return fail(ErrorCode::invalid_record, message,
                "The baseOffset of the record batch should be 0, but it is %" PRId64, base_offset);
  }
  if (limits.max_message_bytes < 0 || size > size_t(limits.max_message_bytes)) {
    return fail(ErrorCode::message_too_large, message,
                "The record batch size is %zu bytes which exceeds the maximum configured value of %d",
                size, limits.max_message_bytes);
  }
  if (!parse_header(data, size, h) || !batch_crc_matches(data, size)) {
    uint32_t stored = size >= layout::header_size ? load_be32(data + layout::crc) : 0;
    return fail(ErrorCode::corrupt_message, message, "Record is corrupt (stored crc = %" PRIu32 ")",
                stored);
  }
  if (!h.compression_known()) {
    return fail(ErrorCode::corrupt_message, message, "Unknown compression type id: %u",
                unsigned(h.compression_id()));
  }
  int64_t count_from_offsets = int64_t(h.last_offset_delta) + 1;
  if (count_from_offsets <= 0) {
    return fail(ErrorCode::invalid_record, message, "Batch has an invalid offset range: [0, %d]",
                h.last_offset_delta);
  }
  if (h.records_count <= 0) {
    return fail(ErrorCode::invalid_record, message, "Invalid reported count for record batch: %d",
                h.records_count);
  }
  if (count_from_offsets != h.records_count) {
    return fail(ErrorCode::invalid_record, message,
                "Inconsistent batch offset range [0, %d] and count of records %d",
                h.last_offset_delta, h.records_count);
  }
  if (h.is_control()) {
    return fail(ErrorCode::invalid_record, message, "Clients are not allowed to write control records");
  }
  if (h.has_producer_id() && h.base_sequence < 0) {
    return fail(ErrorCode::invalid_record, message,
                "Invalid sequence number %d in record batch with producerId %" PRId64,
                h.base_sequence, h.producer_id);
  }
  return ErrorCode::none;
}

// Kafka's recordHasInvalidTimestamp, without Java's silent overflow.
bool timestamp_out_of_range(int64_t ts, const ValidationLimits& limits) {
  int64_t diff = 0;
  if (__builtin_sub_overflow(limits.now_ms, ts, &diff)) return true;
  if (diff > limits.ts_before_max_ms) return true;
  return diff < 0 && -diff > limits.ts_after_max_ms;
}

void add_record_error(std::vector<RecordErrorInfo>* errors, int32_t index, const char* what) {
  if (errors != nullptr) errors->push_back({index, what});
}

// Kafka's LogValidator.validateRecord for each record, plus the framing checks of
// DefaultRecord.readFrom and the count check of DefaultRecordBatch's iterator.
ErrorCode check_records(const uint8_t* body, size_t body_size, const ValidationLimits& limits,
                        BatchInfo& info, std::string* message,
                        std::vector<RecordErrorInfo>* record_errors) {
  const BatchHeader& h = info.header;
  RecordReader reader(body, body_size, h.records_count);
  RecordView rec;
  int32_t index = 0;
  int32_t key_errors = 0;
  int32_t timestamp_errors = 0;
  bool batch_log_append = h.timestamp_type() == TimestampType::log_append_time;
  while (reader.next(rec)) {
    if (rec.offset_delta != index) {
      return fail(ErrorCode::invalid_record, message,
                  "Record %d has offset delta %d; deltas must count up from 0", index, rec.offset_delta);
    }
    // Wrapping addition, as Java computes it: a hostile base timestamp must not be UB.
    int64_t ts = batch_log_append ? h.max_timestamp
                                  : static_cast<int64_t>(static_cast<uint64_t>(h.base_timestamp) +
                                                         static_cast<uint64_t>(rec.timestamp_delta));
    if (limits.compacted_topic && rec.key.is_null()) {
      ++key_errors;
      add_record_error(record_errors, index, "Compacted topic cannot accept message without key.");
    } else if (limits.topic_timestamp_type == TimestampType::create_time && ts != no_timestamp) {
      if (timestamp_out_of_range(ts, limits)) {
        ++timestamp_errors;
        add_record_error(record_errors, index, "Timestamp of message is out of range.");
      }
    } else if (batch_log_append) {
      ++timestamp_errors;
      add_record_error(record_errors, index,
                       "Invalid timestamp type in message. Producer should not set timestamp type "
                       "to LogAppendTime.");
    }
    if (ts > info.max_timestamp) {
      info.max_timestamp = ts;
      info.max_timestamp_offset_delta = rec.offset_delta;
    }
    ++index;
  }
  if (reader.error() != RecordError::none) {
    return fail(ErrorCode::invalid_record, message, "Found invalid record structure in record %d: %s",
                index, record_error_name(reader.error()));
  }
  if (timestamp_errors > 0) {
    return fail(ErrorCode::invalid_timestamp, message,
                "One or more records have been rejected due to invalid timestamp");
  }
  if (key_errors > 0) {
    return fail(ErrorCode::invalid_record, message,
                "One or more records have been rejected due to %d record errors in total", key_errors);
  }
  return ErrorCode::none;
}

// The checks in Kafka's order; messages and record errors are filled only on failure.
ErrorCode validate(const uint8_t* data, size_t size, int16_t produce_version, const ValidationLimits& limits,
                   std::vector<BatchInfo>& out, std::string* error_message,
                   std::vector<RecordErrorInfo>* record_errors) {
  out.clear();
  if (record_errors != nullptr) record_errors->clear();
  size_t batch_size = 0;
  ErrorCode rc = check_request_shape(data, size, produce_version, batch_size, error_message);
  if (rc != ErrorCode::none) return rc;

  BatchInfo info;
  info.data = data;
  info.size = batch_size;
  rc = check_batch(data, batch_size, limits, info.header, error_message);
  if (rc != ErrorCode::none) return rc;

  const uint8_t* body = data + layout::records;
  size_t body_size = batch_size - layout::records;
  if (info.header.compression() == Compression::none) {
    rc = check_records(body, body_size, limits, info, error_message, record_errors);
  } else {
    thread_local std::vector<uint8_t> inflated;
    CodecStatus s = decompress(info.header.compression(), body, body_size, inflated,
                               limits.max_decompressed_bytes);
    if (s == CodecStatus::too_large) {
      rc = fail(ErrorCode::message_too_large, error_message,
                "The decompressed record batch exceeds %zu bytes", limits.max_decompressed_bytes);
    } else if (s != CodecStatus::ok) {
      rc = fail(ErrorCode::invalid_record, error_message, "Found invalid compressed record set (%s)",
                compression_name(info.header.compression()));
    } else {
      rc = check_records(inflated.data(), inflated.size(), limits, info, error_message,
                         record_errors);
    }
    if (inflated.capacity() > kKeepBufferBytes) std::vector<uint8_t>().swap(inflated);
  }
  if (rc != ErrorCode::none) return rc;
  out.push_back(info);
  return ErrorCode::none;
}

}  // namespace

Result<void, ProduceRejection> validate_produce_records(const uint8_t* data, size_t size, int16_t produce_version,
                                                        const ValidationLimits& limits, std::vector<BatchInfo>& out) {
  ProduceRejection rejection;  // empty string and vector: no allocation unless refused
  rejection.code = validate(data, size, produce_version, limits, out, &rejection.message, &rejection.record_errors);
  if (rejection.code == ErrorCode::none) return {};
  return Unexpected(std::move(rejection));
}

}  // namespace runnel::records
