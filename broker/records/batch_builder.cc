#include "broker/records/batch_builder.h"

#include <algorithm>
#include <cstring>

#include "broker/model/assert.h"
#include "broker/records/bytes.h"
#include "broker/records/compression.h"
#include "broker/records/varint.h"

namespace runnel::records {
namespace {

void append_bytes(std::vector<uint8_t>& out, std::optional<std::string_view> bytes) {
  if (!bytes) {
    append_varint(out, -1);
    return;
  }
  append_varint(out, int32_t(bytes->size()));
  out.insert(out.end(), bytes->begin(), bytes->end());
}

void append_record(std::vector<uint8_t>& out, std::vector<uint8_t>& scratch, const RecordInput& r,
                   int32_t offset_delta, int64_t base_timestamp) {
  scratch.clear();
  scratch.push_back(0);  // attributes: unused in v2
  append_varlong(scratch, r.timestamp - base_timestamp);
  append_varint(scratch, offset_delta);
  append_bytes(scratch, r.key);
  append_bytes(scratch, r.value);
  append_varint(scratch, int32_t(r.headers.size()));
  for (const HeaderInput& h : r.headers) {
    append_bytes(scratch, h.key);
    append_bytes(scratch, h.value);
  }
  append_varint(out, int32_t(scratch.size()));
  out.insert(out.end(), scratch.begin(), scratch.end());
}

uint16_t attributes_of(const BatchOptions& o) {
  uint16_t a = uint16_t(o.compression);
  if (o.timestamp_type == TimestampType::log_append_time) a |= attr::timestamp_type;
  if (o.transactional) a |= attr::transactional;
  if (o.control) a |= attr::control;
  return a;
}

}  // namespace

std::vector<uint8_t> build_batch(const BatchOptions& options, std::span<const RecordInput> records) {
  RUNNEL_ASSERT(!records.empty(), "a batch needs at least one record, got %zu", records.size());
  int64_t base_timestamp = records.front().timestamp;
  int64_t max_timestamp = base_timestamp;
  std::vector<uint8_t> body;
  std::vector<uint8_t> scratch;
  for (size_t i = 0; i < records.size(); ++i) {
    append_record(body, scratch, records[i], int32_t(i), base_timestamp);
    max_timestamp = std::max(max_timestamp, records[i].timestamp);
  }

  std::vector<uint8_t> batch;
  if (options.compression == Compression::none) {
    // resize + memcpy rather than insert: GCC 12 at -O3 reports a false -Warray-bounds on the
    // insert into a vector it believes is exactly header_size long.
    batch.resize(layout::header_size + body.size());
    std::memcpy(batch.data() + layout::header_size, body.data(), body.size());
  } else {
    batch.resize(layout::header_size);
    CodecStatus s =
        compress(options.compression, body.data(), body.size(), batch, options.compression_level);
    RUNNEL_ASSERT(s == CodecStatus::ok, "compressing %zu bytes with %s failed: %d", body.size(),
                  compression_name(options.compression), int(s));
  }

  BatchHeader h;
  h.base_offset = options.base_offset;
  h.batch_length = int32_t(batch.size() - layout::log_overhead);
  h.partition_leader_epoch = options.partition_leader_epoch;
  h.magic = magic_v2;
  h.attributes = attributes_of(options);
  h.last_offset_delta = int32_t(records.size() - 1);
  h.base_timestamp = base_timestamp;
  h.max_timestamp = max_timestamp;
  h.producer_id = options.producer_id;
  h.producer_epoch = options.producer_epoch;
  h.base_sequence = options.base_sequence;
  h.records_count = int32_t(records.size());
  write_header(h, batch.data());
  store_be32(batch.data() + layout::crc, compute_batch_crc(batch.data(), batch.size()));
  return batch;
}

std::vector<uint8_t> build_control_batch(BatchOptions options, ControlType type,
                                         int32_t coordinator_epoch, int64_t timestamp) {
  options.control = true;
  options.transactional = true;
  uint8_t key[4];
  store_be16(key, 0);  // control record key version
  store_be16(key + 2, uint16_t(type));
  uint8_t value[6];
  store_be16(value, 0);  // end-transaction marker version
  store_be32(value + 2, uint32_t(coordinator_epoch));
  RecordInput marker;
  marker.key = std::string_view(reinterpret_cast<const char*>(key), sizeof key);
  marker.value = std::string_view(reinterpret_cast<const char*>(value), sizeof value);
  marker.timestamp = timestamp;
  return build_batch(options, std::span<const RecordInput>(&marker, 1));
}

}  // namespace runnel::records
