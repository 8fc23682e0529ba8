#pragma once

// The 61-byte header of a magic v2 record batch ("RecordBatch" in Kafka's implementation docs),
// the unit in which records travel in Produce/Fetch and are stored in log segments.
//
//   offset size field                    covered by CRC
//        0    8 base_offset              no  (the broker assigns it)
//        8    4 batch_length             no  (bytes after this field)
//       12    4 partition_leader_epoch   no  (the broker assigns it)
//       16    1 magic                    no
//       17    4 crc (uint32, CRC-32C)    -
//       21    2 attributes               yes ... and every byte to the end of the batch
//       23    4 last_offset_delta
//       27    8 base_timestamp
//       35    8 max_timestamp
//       43    8 producer_id
//       51    2 producer_epoch
//       53    4 base_sequence
//       57    4 records_count
//       61      records (compressed as one blob when the codec is not none)
//
// All integers are big-endian. Parsing copies the fields out; the patchers write in place.

#include <cstddef>
#include <cstdint>

namespace runnel::records {

namespace layout {
inline constexpr size_t base_offset = 0;
inline constexpr size_t batch_length = 8;
inline constexpr size_t partition_leader_epoch = 12;
inline constexpr size_t magic = 16;
inline constexpr size_t crc = 17;
inline constexpr size_t attributes = 21;
inline constexpr size_t last_offset_delta = 23;
inline constexpr size_t base_timestamp = 27;
inline constexpr size_t max_timestamp = 35;
inline constexpr size_t producer_id = 43;
inline constexpr size_t producer_epoch = 51;
inline constexpr size_t base_sequence = 53;
inline constexpr size_t records_count = 57;
inline constexpr size_t records = 61;

// Size of the header; also the size of an empty batch.
inline constexpr size_t header_size = 61;
// base_offset + batch_length: the bytes of a batch that batch_length does not count.
inline constexpr size_t log_overhead = 12;
// base_offset .. magic inclusive: what must be read before the format is known.
inline constexpr size_t header_size_up_to_magic = 17;
// The CRC covers [crc_start, end of batch).
inline constexpr size_t crc_start = attributes;
}  // namespace layout

inline constexpr int8_t magic_v2 = 2;
inline constexpr int64_t no_producer_id = -1;
inline constexpr int16_t no_producer_epoch = -1;
inline constexpr int32_t no_sequence = -1;
inline constexpr int64_t no_timestamp = -1;
inline constexpr int32_t no_partition_leader_epoch = -1;

enum class Compression : uint8_t { none = 0, gzip = 1, snappy = 2, lz4 = 3, zstd = 4 };
enum class TimestampType : uint8_t { create_time = 0, log_append_time = 1 };

namespace attr {
inline constexpr uint16_t compression_mask = 0x07;
inline constexpr uint16_t timestamp_type = 0x08;
inline constexpr uint16_t transactional = 0x10;
inline constexpr uint16_t control = 0x20;
inline constexpr uint16_t delete_horizon = 0x40;
}  // namespace attr

struct BatchHeader {
  int64_t base_offset = 0;
  int32_t batch_length = 0;
  int32_t partition_leader_epoch = no_partition_leader_epoch;
  int8_t magic = magic_v2;
  uint32_t crc = 0;
  uint16_t attributes = 0;
  int32_t last_offset_delta = 0;
  int64_t base_timestamp = no_timestamp;
  int64_t max_timestamp = no_timestamp;
  int64_t producer_id = no_producer_id;
  int16_t producer_epoch = no_producer_epoch;
  int32_t base_sequence = no_sequence;
  int32_t records_count = 0;

  // The raw codec id (0..7). Ids 5..7 are not defined; check compression_known() first.
  uint8_t compression_id() const { return attributes & attr::compression_mask; }
  bool compression_known() const { return compression_id() <= 4; }
  Compression compression() const { return static_cast<Compression>(compression_id()); }
  TimestampType timestamp_type() const {
    return (attributes & attr::timestamp_type) ? TimestampType::log_append_time
                                               : TimestampType::create_time;
  }
  bool is_transactional() const { return attributes & attr::transactional; }
  bool is_control() const { return attributes & attr::control; }
  bool has_delete_horizon() const { return attributes & attr::delete_horizon; }
  bool has_producer_id() const { return producer_id > no_producer_id; }
  int64_t last_offset() const { return base_offset + last_offset_delta; }
  // Whole batch in bytes, including the 12 bytes that batch_length does not count.
  int64_t size_bytes() const { return int64_t(batch_length) + int64_t(layout::log_overhead); }
  // Sequence of the last record; wraps at INT32_MAX like Kafka's incrementSequence.
  int32_t last_sequence() const;
};

// Reads the header fields. Fails only when size < header_size; does not check magic, CRC or
// that batch_length fits `size` (validate.h does).
bool parse_header(const uint8_t* data, size_t size, BatchHeader& out);

// Serialises `h` into the first 61 bytes of `out` (crc written as given in h.crc).
void write_header(const BatchHeader& h, uint8_t* out);

// CRC-32C over [attributes, len) of a whole batch of `len` bytes (len >= header_size).
uint32_t compute_batch_crc(const uint8_t* batch, size_t len);
bool batch_crc_matches(const uint8_t* batch, size_t len);

// In-place patchers. Neither field is covered by the CRC, so no recomputation is needed.
void set_base_offset(uint8_t* batch, int64_t base_offset);
void set_partition_leader_epoch(uint8_t* batch, int32_t epoch);

// Sets the timestamp type bit and max_timestamp, then recomputes the CRC (both are covered).
// Leaves the batch untouched (no CRC pass) when nothing changes, as Kafka does.
void set_max_timestamp(uint8_t* batch, size_t len, TimestampType type, int64_t max_timestamp);
// For topics with message.timestamp.type=LogAppendTime: the broker's clock replaces every
// record's timestamp, which readers derive from max_timestamp when the type bit is set.
void set_log_append_time(uint8_t* batch, size_t len, int64_t ts);

}  // namespace runnel::records
