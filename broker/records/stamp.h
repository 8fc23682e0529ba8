#pragma once

// The header fields the partition leader owns, written in one place when it appends a
// producer's batch: base offset, partition leader epoch, and the timestamp fields
// (log-append time, or the corrected CreateTime maximum). Kafka does the same in
// LogValidator + UnifiedLog.append: the producer's values for these fields are not trusted.
//
// Called once per batch by the log (storage/partition_log.cc, assign()), on the partition's
// owner core, after offsets are assigned. The Produce handler only decides *what* to stamp
// (TimestampStamp, from validation on the connection's core); it never writes the batch.
//
// CRC: base offset and leader epoch are outside the CRC; the timestamp type bit and
// max_timestamp are inside, so the CRC is recomputed, once, only when one of them changed.

#include <cstddef>
#include <cstdint>

#include "broker/records/batch_header.h"

namespace runnel::records {

// What the Produce handler decided about a batch's timestamps during validation.
struct TimestampStamp {
  // create_time: the batch keeps its type; max_timestamp, when set, is the largest record
  //   timestamp validation computed, written if the producer's header says otherwise.
  // log_append_time: every record's timestamp becomes the append time (the leader's clock at
  //   append), which readers take from max_timestamp when the type bit is set.
  TimestampType type = TimestampType::create_time;
  int64_t max_timestamp = no_timestamp;  // create_time only; no_timestamp keeps the header's
};

struct Stamp {
  int64_t base_offset = 0;
  int32_t partition_leader_epoch = no_partition_leader_epoch;
  TimestampStamp timestamp;
  int64_t append_time_ms = no_timestamp;  // the leader's clock; used for log_append_time
};

// Writes `s` into the header of the whole batch at `batch` (`size` bytes, already validated).
// Returns the batch's max_timestamp as stored afterwards (what the time index must see).
int64_t stamp_batch(uint8_t* batch, size_t size, const Stamp& s);

}  // namespace runnel::records
