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

using Check = Result<void, ProduceRejection>;

// A refusal with Kafka's message. Only refusals format and allocate; the success path does not.
__attribute__((format(printf, 2, 3))) Unexpected<ProduceRejection> fail(ErrorCode code, const char* fmt, ...) {
  char buf[256];
  va_list args;
  va_start(args, fmt);
  std::vsnprintf(buf, sizeof buf, fmt, args);
  va_end(args);
  return Unexpected(ProduceRejection{code, buf, {}});
}

// Kafka's ProduceRequest.validateRecords: exactly one v2 batch, zstd only from Produce v7.
// The size of that batch.
Result<size_t, ProduceRejection> check_request_shape(const uint8_t* data, size_t size, int16_t version) {
  Result<size_t, CorruptBatch> first = next_batch(data, size);
  if (!first) return fail(ErrorCode::corrupt_message, "%s", first.error().message().c_str());
  const size_t batch_size = *first;
  if (batch_size == 0) {
    return fail(ErrorCode::invalid_record,
                "Produce requests with version %d must have at least one record batch per partition",
                version);
  }
  if (data[layout::magic] != uint8_t(magic_v2)) {
    return fail(ErrorCode::invalid_record,
                "Produce requests with version %d are only allowed to contain record batches with "
                "magic version 2",
                version);
  }
  uint16_t attributes = load_be16(data + layout::attributes);
  if (version < kFirstZstdProduceVersion &&
      (attributes & attr::compression_mask) == uint16_t(Compression::zstd)) {
    return fail(ErrorCode::unsupported_compression_type,
                "Produce requests with version %d are not allowed to use ZStandard compression",
                version);
  }
  Result<size_t, CorruptBatch> second = next_batch(data + batch_size, size - batch_size);
  if (!second) return fail(ErrorCode::corrupt_message, "%s", second.error().message().c_str());
  if (*second != 0) {
    return fail(ErrorCode::invalid_record,
                "Produce requests with version %d are only allowed to contain exactly one record "
                "batch per partition",
                version);
  }
  return batch_size;
}

// Kafka's UnifiedLog.analyzeAndValidateRecords and LogValidator.validateBatch (client origin).
Check check_batch(const uint8_t* data, size_t size, const ValidationLimits& limits, BatchHeader& h) {
  // Kafka's order: base offset, then size, then CRC. A batch shorter than its header fails the
  // CRC check (Kafka's isValid() requires a whole header too).
  int64_t base_offset = int64_t(load_be64(data + layout::base_offset));
  if (base_offset != 0) {
    return fail(ErrorCode::invalid_record,
                "The baseOffset of the record batch should be 0, but it is %" PRId64, base_offset);
  }
  if (limits.max_message_bytes < 0 || size > size_t(limits.max_message_bytes)) {
    return fail(ErrorCode::message_too_large,
                "The record batch size is %zu bytes which exceeds the maximum configured value of %d",
                size, limits.max_message_bytes);
  }
  if (!parse_header(data, size, h) || !batch_crc_matches(data, size)) {
    uint32_t stored = size >= layout::header_size ? load_be32(data + layout::crc) : 0;
    return fail(ErrorCode::corrupt_message, "Record is corrupt (stored crc = %" PRIu32 ")", stored);
  }
  if (!h.compression_known()) {
    return fail(ErrorCode::corrupt_message, "Unknown compression type id: %u", unsigned(h.compression_id()));
  }
  int64_t count_from_offsets = int64_t(h.last_offset_delta) + 1;
  if (count_from_offsets <= 0) {
    return fail(ErrorCode::invalid_record, "Batch has an invalid offset range: [0, %d]", h.last_offset_delta);
  }
  if (h.records_count <= 0) {
    return fail(ErrorCode::invalid_record, "Invalid reported count for record batch: %d", h.records_count);
  }
  if (count_from_offsets != h.records_count) {
    return fail(ErrorCode::invalid_record,
                "Inconsistent batch offset range [0, %d] and count of records %d",
                h.last_offset_delta, h.records_count);
  }
  if (h.is_control()) {
    return fail(ErrorCode::invalid_record, "Clients are not allowed to write control records");
  }
  if (h.has_producer_id() && h.base_sequence < 0) {
    return fail(ErrorCode::invalid_record,
                "Invalid sequence number %d in record batch with producerId %" PRId64,
                h.base_sequence, h.producer_id);
  }
  return {};
}

// Kafka's recordHasInvalidTimestamp, without Java's silent overflow.
bool timestamp_out_of_range(int64_t ts, const ValidationLimits& limits) {
  int64_t diff = 0;
  if (__builtin_sub_overflow(limits.now_ms, ts, &diff)) return true;
  if (diff > limits.ts_before_max_ms) return true;
  return diff < 0 && -diff > limits.ts_after_max_ms;
}

// A refusal that carries the per-record errors found so far (Kafka's RecordErrors).
Unexpected<ProduceRejection> with_records(Unexpected<ProduceRejection> refusal, std::vector<RecordErrorInfo>& errors) {
  refusal.error().record_errors = std::move(errors);
  return refusal;
}

// Kafka's LogValidator.validateRecord for each record, plus the framing checks of
// DefaultRecord.readFrom and the count check of DefaultRecordBatch's iterator.
Check check_records(const uint8_t* body, size_t body_size, const ValidationLimits& limits, BatchInfo& info) {
  std::vector<RecordErrorInfo> record_errors;  // allocates only once a record is refused
  const BatchHeader& h = info.header;
  RecordReader reader(body, body_size, h.records_count);
  RecordView rec;
  int32_t index = 0;
  int32_t key_errors = 0;
  int32_t timestamp_errors = 0;
  bool batch_log_append = h.timestamp_type() == TimestampType::log_append_time;
  while (reader.next(rec)) {
    if (rec.offset_delta != index) {
      return with_records(fail(ErrorCode::invalid_record, "Record %d has offset delta %d; deltas must count up from 0",
                               index, rec.offset_delta),
                          record_errors);
    }
    // Wrapping addition, as Java computes it: a hostile base timestamp must not be UB.
    int64_t ts = batch_log_append ? h.max_timestamp
                                  : static_cast<int64_t>(static_cast<uint64_t>(h.base_timestamp) +
                                                         static_cast<uint64_t>(rec.timestamp_delta));
    if (limits.compacted_topic && rec.key.is_null()) {
      ++key_errors;
      record_errors.push_back({index, "Compacted topic cannot accept message without key."});
    } else if (limits.topic_timestamp_type == TimestampType::create_time && ts != no_timestamp) {
      if (timestamp_out_of_range(ts, limits)) {
        ++timestamp_errors;
        record_errors.push_back({index, "Timestamp of message is out of range."});
      }
    } else if (batch_log_append) {
      ++timestamp_errors;
      record_errors.push_back({index,
                               "Invalid timestamp type in message. Producer should not set timestamp type "
                               "to LogAppendTime."});
    }
    if (ts > info.max_timestamp) {
      info.max_timestamp = ts;
      info.max_timestamp_offset_delta = rec.offset_delta;
    }
    ++index;
  }
  if (reader.error() != RecordError::none) {
    return with_records(fail(ErrorCode::invalid_record, "Found invalid record structure in record %d: %s", index,
                             record_error_name(reader.error())),
                        record_errors);
  }
  if (timestamp_errors > 0) {
    return with_records(
        fail(ErrorCode::invalid_timestamp, "One or more records have been rejected due to invalid timestamp"),
        record_errors);
  }
  if (key_errors > 0) {
    return with_records(fail(ErrorCode::invalid_record,
                             "One or more records have been rejected due to %d record errors in total", key_errors),
                        record_errors);
  }
  return {};
}

// The batch body, decompressed into `inflated` when compressed, then its records checked.
Check check_body(BatchInfo& info, const ValidationLimits& limits) {
  const uint8_t* body = info.data + layout::records;
  const size_t body_size = info.size - layout::records;
  if (info.header.compression() == Compression::none) return check_records(body, body_size, limits, info);
  thread_local std::vector<uint8_t> inflated;
  Check checked;
  CodecStatus s = decompress(info.header.compression(), body, body_size, inflated, limits.max_decompressed_bytes);
  if (s == CodecStatus::too_large) {
    checked = fail(ErrorCode::message_too_large, "The decompressed record batch exceeds %zu bytes",
                   limits.max_decompressed_bytes);
  } else if (s != CodecStatus::ok) {
    checked = fail(ErrorCode::invalid_record, "Found invalid compressed record set (%s)",
                   compression_name(info.header.compression()));
  } else {
    checked = check_records(inflated.data(), inflated.size(), limits, info);
  }
  if (inflated.capacity() > kKeepBufferBytes) std::vector<uint8_t>().swap(inflated);
  return checked;
}

}  // namespace

// The checks in Kafka's order; a message and record errors exist only on refusal.
Result<void, ProduceRejection> validate_produce_records(const uint8_t* data, size_t size, int16_t produce_version,
                                                        const ValidationLimits& limits, std::vector<BatchInfo>& out) {
  out.clear();
  Result<size_t, ProduceRejection> batch_size = check_request_shape(data, size, produce_version);
  if (!batch_size) return Unexpected(std::move(batch_size).error());
  BatchInfo info;
  info.data = data;
  info.size = *batch_size;
  if (Check batch = check_batch(data, info.size, limits, info.header); !batch) return batch;
  if (Check records = check_body(info, limits); !records) return records;
  out.push_back(info);
  return {};
}

}  // namespace runnel::records
