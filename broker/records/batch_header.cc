#include "broker/records/batch_header.h"

#include "broker/model/assert.h"
#include "broker/records/bytes.h"
#include "broker/records/crc32c.h"

namespace runnel::records {

int32_t BatchHeader::last_sequence() const {
  if (base_sequence < 0) return no_sequence;
  // Kafka's DefaultRecordBatch.incrementSequence: sequences wrap to 0 after INT32_MAX.
  int64_t next = int64_t(base_sequence) + last_offset_delta;
  if (next > INT32_MAX) next -= int64_t(INT32_MAX) + 1;
  return int32_t(next);
}

bool parse_header(const uint8_t* d, size_t size, BatchHeader& h) {
  if (size < layout::header_size) return false;
  h.base_offset = int64_t(load_be64(d + layout::base_offset));
  h.batch_length = int32_t(load_be32(d + layout::batch_length));
  h.partition_leader_epoch = int32_t(load_be32(d + layout::partition_leader_epoch));
  h.magic = int8_t(d[layout::magic]);
  h.crc = load_be32(d + layout::crc);
  h.attributes = load_be16(d + layout::attributes);
  h.last_offset_delta = int32_t(load_be32(d + layout::last_offset_delta));
  h.base_timestamp = int64_t(load_be64(d + layout::base_timestamp));
  h.max_timestamp = int64_t(load_be64(d + layout::max_timestamp));
  h.producer_id = int64_t(load_be64(d + layout::producer_id));
  h.producer_epoch = int16_t(load_be16(d + layout::producer_epoch));
  h.base_sequence = int32_t(load_be32(d + layout::base_sequence));
  h.records_count = int32_t(load_be32(d + layout::records_count));
  return true;
}

void write_header(const BatchHeader& h, uint8_t* d) {
  store_be64(d + layout::base_offset, uint64_t(h.base_offset));
  store_be32(d + layout::batch_length, uint32_t(h.batch_length));
  store_be32(d + layout::partition_leader_epoch, uint32_t(h.partition_leader_epoch));
  d[layout::magic] = uint8_t(h.magic);
  store_be32(d + layout::crc, h.crc);
  store_be16(d + layout::attributes, h.attributes);
  store_be32(d + layout::last_offset_delta, uint32_t(h.last_offset_delta));
  store_be64(d + layout::base_timestamp, uint64_t(h.base_timestamp));
  store_be64(d + layout::max_timestamp, uint64_t(h.max_timestamp));
  store_be64(d + layout::producer_id, uint64_t(h.producer_id));
  store_be16(d + layout::producer_epoch, uint16_t(h.producer_epoch));
  store_be32(d + layout::base_sequence, uint32_t(h.base_sequence));
  store_be32(d + layout::records_count, uint32_t(h.records_count));
}

uint32_t compute_batch_crc(const uint8_t* batch, size_t len) {
  RUNNEL_ASSERT(len >= layout::header_size, "batch of %zu bytes has no complete header", len);
  return crc32c(batch + layout::crc_start, len - layout::crc_start);
}

bool batch_crc_matches(const uint8_t* batch, size_t len) {
  return len >= layout::header_size && load_be32(batch + layout::crc) == compute_batch_crc(batch, len);
}

void set_base_offset(uint8_t* batch, int64_t base_offset) {
  store_be64(batch + layout::base_offset, uint64_t(base_offset));
}

void set_partition_leader_epoch(uint8_t* batch, int32_t epoch) {
  store_be32(batch + layout::partition_leader_epoch, uint32_t(epoch));
}

void set_max_timestamp(uint8_t* batch, size_t len, TimestampType type, int64_t max_timestamp) {
  RUNNEL_ASSERT(len >= layout::header_size, "batch of %zu bytes has no complete header", len);
  uint16_t attributes = load_be16(batch + layout::attributes);
  uint16_t new_attributes = type == TimestampType::log_append_time
                                ? uint16_t(attributes | attr::timestamp_type)
                                : uint16_t(attributes & ~attr::timestamp_type);
  if (new_attributes == attributes &&
      int64_t(load_be64(batch + layout::max_timestamp)) == max_timestamp) {
    return;
  }
  store_be16(batch + layout::attributes, new_attributes);
  store_be64(batch + layout::max_timestamp, uint64_t(max_timestamp));
  store_be32(batch + layout::crc, compute_batch_crc(batch, len));
}

void set_log_append_time(uint8_t* batch, size_t len, int64_t ts) {
  set_max_timestamp(batch, len, TimestampType::log_append_time, ts);
}

}  // namespace runnel::records
