#include "broker/records/stamp.h"

#include "broker/model/assert.h"
#include "broker/records/bytes.h"

namespace runnel::records {

int64_t stamp_batch(uint8_t* batch, size_t size, const Stamp& s) {
  RUNNEL_ASSERT(size >= layout::header_size, "stamping a batch of %zu bytes (no complete header)", size);
  RUNNEL_ASSERT(s.base_offset >= 0, "stamping base offset %lld", static_cast<long long>(s.base_offset));
  set_base_offset(batch, s.base_offset);
  set_partition_leader_epoch(batch, s.partition_leader_epoch);
  const bool control = load_be16(batch + layout::attributes) & attr::control;
  if (s.timestamp.type == TimestampType::log_append_time) {
    RUNNEL_ASSERT(s.append_time_ms >= 0, "log-append time stamp without a clock reading (%lld)",
                  static_cast<long long>(s.append_time_ms));
    set_max_timestamp(batch, size, TimestampType::log_append_time, s.append_time_ms);
  } else if (s.timestamp.max_timestamp != no_timestamp && !control) {
    // Kafka rewrites a CreateTime batch's max_timestamp with the one it computed; control
    // batches (transaction markers) keep theirs. set_max_timestamp skips the CRC when equal.
    set_max_timestamp(batch, size, TimestampType::create_time, s.timestamp.max_timestamp);
  }
  return static_cast<int64_t>(load_be64(batch + layout::max_timestamp));
}

}  // namespace runnel::records
