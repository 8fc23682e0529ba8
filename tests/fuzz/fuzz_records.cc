// libFuzzer target over Produce-time record validation (broker/records/validate.h).
//
// Input: see records_input.h (Produce version, flags, records blob). The blob goes through
// validate_produce_records(); a rejection must carry one of the error codes the validator
// documents and leave `out` empty. An acceptance is then checked independently: the batch is
// decompressed and every record and header walked again with the same readers the broker's
// fetch path uses, and every promise the validator makes is asserted (framing, counts, offset
// deltas, keys on compacted topics, timestamp window, max timestamp). Accepted batches are also
// pushed through the in-place patchers and, when uncompressed, through every codec, after
// which they must still validate the same way.

#include <cinttypes>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "broker/records/batch_header.h"
#include "broker/records/bytes.h"
#include "broker/records/compression.h"
#include "broker/records/record_iterator.h"
#include "broker/records/validate.h"
#include "tests/fuzz/records_input.h"

namespace {

using namespace runnel;
using namespace runnel::records;

#define FUZZ_CHECK(cond, ...)                                                        \
  do {                                                                               \
    if (!(cond)) {                                                                   \
      std::fprintf(stderr, "fuzz_records invariant failed: %s: ", #cond);            \
      std::fprintf(stderr, __VA_ARGS__);                                             \
      std::fputc('\n', stderr);                                                      \
      std::abort();                                                                  \
    }                                                                                \
  } while (0)

bool inside(const uint8_t* p, size_t n, const uint8_t* lo, size_t lo_size) {
  return p >= lo && p + n <= lo + lo_size;
}

bool ts_in_window(int64_t ts, const ValidationLimits& l) {
  // Widened to 128 bits so the reference check cannot share an overflow bug with the validator.
  __int128 diff = __int128(l.now_ms) - __int128(ts);
  if (diff > l.ts_before_max_ms) return false;
  return !(diff < 0 && -diff > l.ts_after_max_ms);
}

// Walks every record of an accepted batch and checks what acceptance promises.
void check_records(const BatchInfo& info, const uint8_t* body, size_t body_size,
                   const ValidationLimits& limits) {
  const BatchHeader& h = info.header;
  RecordReader reader(body, body_size, h.records_count);
  RecordView rec;
  int32_t index = 0;
  size_t bytes = 0;
  int64_t max_ts = no_timestamp;
  int32_t max_ts_delta = -1;
  bool batch_log_append = h.timestamp_type() == TimestampType::log_append_time;
  while (reader.next(rec)) {
    FUZZ_CHECK(rec.offset_delta == index, "record %d has offset delta %d", index, rec.offset_delta);
    FUZZ_CHECK(rec.size_bytes > 0, "record %d size %d", index, rec.size_bytes);
    bytes += size_t(rec.size_bytes);
    FUZZ_CHECK(rec.key.is_null() || inside(rec.key.data, rec.key.size(), body, body_size),
               "record %d key outside the body", index);
    FUZZ_CHECK(rec.value.is_null() || inside(rec.value.data, rec.value.size(), body, body_size),
               "record %d value outside the body", index);
    FUZZ_CHECK(rec.header_count >= 0, "record %d header count %d", index, rec.header_count);
    FUZZ_CHECK(rec.header_count == 0 || inside(rec.headers_data, rec.headers_size, body, body_size),
               "record %d headers outside the body", index);
    HeaderIterator headers = rec.headers();
    RecordHeaderView hv;
    int32_t seen = 0;
    while (headers.next(hv)) {
      FUZZ_CHECK(hv.key.empty() || inside(reinterpret_cast<const uint8_t*>(hv.key.data()),
                                          hv.key.size(), body, body_size),
                 "record %d header %d key outside the body", index, seen);
      FUZZ_CHECK(hv.value.is_null() || inside(hv.value.data, hv.value.size(), body, body_size),
                 "record %d header %d value outside the body", index, seen);
      ++seen;
    }
    FUZZ_CHECK(seen == rec.header_count, "record %d: iterated %d of %d headers", index, seen,
               rec.header_count);

    // Wrapping add, as Java computes it: base_timestamp near INT64_MAX is legal input.
    int64_t ts = batch_log_append ? h.max_timestamp
                                  : int64_t(uint64_t(h.base_timestamp) + uint64_t(rec.timestamp_delta));
    if (limits.compacted_topic) {
      FUZZ_CHECK(!rec.key.is_null(), "record %d: null key accepted on a compacted topic", index);
    }
    if (limits.topic_timestamp_type == TimestampType::create_time && ts != no_timestamp) {
      FUZZ_CHECK(ts_in_window(ts, limits), "record %d: timestamp %" PRId64 " accepted outside the "
                 "window", index, ts);
    } else {
      FUZZ_CHECK(!batch_log_append, "record %d: LogAppendTime batch accepted from a client", index);
    }
    if (ts > max_ts) {
      max_ts = ts;
      max_ts_delta = rec.offset_delta;
    }
    ++index;
  }
  FUZZ_CHECK(reader.error() == RecordError::none, "accepted batch fails to iterate: %s at %zu",
             record_error_name(reader.error()), reader.position(body));
  FUZZ_CHECK(index == h.records_count, "iterated %d records, header says %d", index,
             h.records_count);
  FUZZ_CHECK(bytes == body_size, "records cover %zu of %zu body bytes", bytes, body_size);
  FUZZ_CHECK(max_ts == info.max_timestamp && max_ts_delta == info.max_timestamp_offset_delta,
             "max timestamp %" PRId64 "@%d, validator said %" PRId64 "@%d", max_ts, max_ts_delta,
             info.max_timestamp, info.max_timestamp_offset_delta);
}

void check_header(const BatchInfo& info, const uint8_t* blob, size_t blob_size,
                  const ValidationLimits& limits) {
  const BatchHeader& h = info.header;
  FUZZ_CHECK(info.data == blob, "accepted batch does not start the blob");
  FUZZ_CHECK(info.size >= layout::header_size && info.size <= blob_size,
             "batch size %zu, blob %zu", info.size, blob_size);
  FUZZ_CHECK(int64_t(info.size) == h.size_bytes(), "batch size %zu, header says %" PRId64,
             info.size, h.size_bytes());
  FUZZ_CHECK(info.size <= size_t(limits.max_message_bytes), "batch of %zu bytes over the limit",
             info.size);
  BatchHeader again;
  FUZZ_CHECK(parse_header(blob, info.size, again), "header does not parse again");
  FUZZ_CHECK(again.crc == h.crc && again.records_count == h.records_count &&
                 again.attributes == h.attributes,
             "header parsed differently");
  FUZZ_CHECK(h.magic == magic_v2 && h.base_offset == 0, "magic %d base offset %" PRId64, h.magic,
             h.base_offset);
  FUZZ_CHECK(batch_crc_matches(blob, info.size), "accepted batch with a bad CRC");
  FUZZ_CHECK(h.compression_known() && !h.is_control(), "attributes 0x%x accepted", h.attributes);
  FUZZ_CHECK(h.records_count > 0 && int64_t(h.last_offset_delta) + 1 == h.records_count,
             "count %d last delta %d", h.records_count, h.last_offset_delta);
  FUZZ_CHECK(!h.has_producer_id() || h.base_sequence >= 0, "sequence %d with producer id",
             h.base_sequence);
}

// The result the broker would see for `blob`; the message must be set on every rejection.
ErrorCode validate(const uint8_t* blob, size_t size, int16_t version, const ValidationLimits& limits,
                   std::vector<BatchInfo>& out) {
  Result<void, ProduceRejection> valid = validate_produce_records(blob, size, version, limits, out);
  if (valid) {
    FUZZ_CHECK(out.size() == 1, "accepted with %zu batches", out.size());
    return ErrorCode::none;
  }
  const ErrorCode rc = valid.error().code;
  const std::string& message = valid.error().message;
  const std::vector<RecordErrorInfo>& record_errors = valid.error().record_errors;
  FUZZ_CHECK(out.empty(), "rejected (%d) but returned %zu batches", int(rc), out.size());
  FUZZ_CHECK(!message.empty(), "rejected (%d) without a message", int(rc));
  FUZZ_CHECK(rc == ErrorCode::invalid_record || rc == ErrorCode::corrupt_message ||
                 rc == ErrorCode::message_too_large || rc == ErrorCode::invalid_timestamp ||
                 rc == ErrorCode::unsupported_compression_type,
             "undocumented error code %d (%s)", int(rc), message.c_str());
  if (!record_errors.empty()) {
    FUZZ_CHECK(rc == ErrorCode::invalid_record || rc == ErrorCode::invalid_timestamp,
               "record errors with code %d", int(rc));
  }
  return rc;
}

// The patchers the Produce path applies to an accepted batch keep it valid.
void check_patchers(const BatchInfo& info, int16_t version, const ValidationLimits& limits) {
  std::vector<uint8_t> copy(info.data, info.data + info.size);
  set_max_timestamp(copy.data(), copy.size(), TimestampType::create_time, info.max_timestamp);
  FUZZ_CHECK(batch_crc_matches(copy.data(), copy.size()), "CRC broken by set_max_timestamp");
  // A client batch flagged LogAppendTime (accepted on a CreateTime topic when its
  // max_timestamp is in range) has record timestamps that change meaning once the flag is
  // cleared, exactly as in Kafka; only a CreateTime batch must validate the same way again.
  if (info.header.timestamp_type() == TimestampType::create_time) {
    std::vector<BatchInfo> out;
    ErrorCode rc = validate(copy.data(), copy.size(), version, limits, out);
    FUZZ_CHECK(rc == ErrorCode::none, "batch rejected (%d) after set_max_timestamp", int(rc));
    FUZZ_CHECK(out[0].max_timestamp == info.max_timestamp, "max timestamp moved after patching");
  }

  set_partition_leader_epoch(copy.data(), 7);
  set_base_offset(copy.data(), 1234);
  BatchHeader h;
  FUZZ_CHECK(parse_header(copy.data(), copy.size(), h) && h.base_offset == 1234 &&
                 h.partition_leader_epoch == 7 && batch_crc_matches(copy.data(), copy.size()),
             "offset/epoch patch broke the batch");
  set_log_append_time(copy.data(), copy.size(), fuzz::kNowMs);
  FUZZ_CHECK(parse_header(copy.data(), copy.size(), h) &&
                 h.timestamp_type() == TimestampType::log_append_time &&
                 h.max_timestamp == fuzz::kNowMs && batch_crc_matches(copy.data(), copy.size()),
             "set_log_append_time broke the batch");
}

// An accepted uncompressed batch, recompressed with any codec, is accepted the same way.
void check_codecs(const BatchInfo& info, const ValidationLimits& limits) {
  if (info.header.compression() != Compression::none) return;
  for (uint8_t id = 1; id <= 4; ++id) {
    auto codec = Compression(id);
    std::vector<uint8_t> batch(info.data, info.data + layout::header_size);
    CodecStatus s = compress(codec, info.data + layout::header_size,
                             info.size - layout::header_size, batch);
    FUZZ_CHECK(s == CodecStatus::ok, "%s failed to compress", compression_name(codec));
    store_be16(batch.data() + layout::attributes, uint16_t(info.header.attributes | id));
    store_be32(batch.data() + layout::batch_length, uint32_t(batch.size() - layout::log_overhead));
    store_be32(batch.data() + layout::crc, compute_batch_crc(batch.data(), batch.size()));
    ValidationLimits roomy = limits;
    roomy.max_message_bytes = INT32_MAX;  // compression may grow a tiny batch
    std::vector<BatchInfo> out;
    ErrorCode rc = validate(batch.data(), batch.size(), 11, roomy, out);
    FUZZ_CHECK(rc == ErrorCode::none, "accepted batch rejected (%d) once compressed with %s",
               int(rc), compression_name(codec));
    FUZZ_CHECK(out[0].max_timestamp == info.max_timestamp &&
                   out[0].max_timestamp_offset_delta == info.max_timestamp_offset_delta,
               "%s changed the max timestamp", compression_name(codec));
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  fuzz::RecordsCase c;
  if (!fuzz::parse_records_input(data, size, c)) return 0;
  // Validate a heap copy of exactly the blob's size, so ASan sees any read past its end.
  std::vector<uint8_t> blob = c.blob;
  const uint8_t* p = blob.empty() ? nullptr : blob.data();
  std::vector<BatchInfo> out;
  ErrorCode rc = validate(p, blob.size(), c.produce_version, c.limits, out);

  // The validator keeps a thread-local inflate buffer: a second run must agree with the first.
  std::vector<BatchInfo> again;
  FUZZ_CHECK(validate(p, blob.size(), c.produce_version, c.limits, again) == rc,
             "second validation disagrees");
  if (rc != ErrorCode::none) return 0;

  const BatchInfo& info = out[0];
  check_header(info, p, blob.size(), c.limits);
  const uint8_t* body = info.data + layout::header_size;
  size_t body_size = info.size - layout::header_size;
  std::vector<uint8_t> inflated;
  if (info.header.compression() != Compression::none) {
    CodecStatus s = decompress(info.header.compression(), body, body_size, inflated,
                               c.limits.max_decompressed_bytes);
    FUZZ_CHECK(s == CodecStatus::ok, "accepted %s body does not decompress (%d)",
               compression_name(info.header.compression()), int(s));
    FUZZ_CHECK(inflated.size() <= c.limits.max_decompressed_bytes, "inflated past the cap");
    body = inflated.data();
    body_size = inflated.size();
  }
  check_records(info, body, body_size, c.limits);
  check_patchers(info, c.produce_version, c.limits);
  check_codecs(info, c.limits);
  return 0;
}
