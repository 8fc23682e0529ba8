#pragma once

// Filtering one stored record batch during compaction (Kafka's MemoryRecords.filterTo with the
// LogCleaner's RecordFilter). Per record, in order:
//   offset >= map_end ............................... kept (not covered by this cleaning's map)
//   null key ........................................ removed (invalid in a compacted topic)
//   a later offset for the key is in the map ........ removed (superseded)
//   null value (tombstone) whose batch's delete
//   horizon has passed .............................. removed
//   otherwise ....................................... kept
//
// Batches (magic v2):
//   - nothing removed and no horizon to set: the original bytes, untouched;
//   - some records kept: rebuilt with the same base offset, last offset delta (so the
//     producer's last sequence survives, as Kafka's overrideLastOffset), producer id/epoch, base
//     sequence, partition leader epoch and codec; kept records keep their offset deltas; the body
//     is decompressed, filtered and recompressed; the CRC is recomputed;
//   - no record kept: dropped, except the last batch (in the cleaned range) of each producer id,
//     which stays as an empty batch header (records_count 0) so the producer's epoch and last
//     sequence are rebuilt after a restart (Kafka's RETAIN_EMPTY for idempotence state).
//
// Tombstones (KIP-534, Kafka >= 3.1): the first cleaning that keeps a tombstone sets the batch's
// delete-horizon attribute (0x40) with base_timestamp = now + delete.retention.ms (record
// timestamp deltas are rebased so every record keeps its timestamp). A later cleaning after
// that horizon removes the tombstones. So a tombstone survives at least delete.retention.ms
// after the cleaning that first saw it, and a restart does not reset the clock.
//
// Extension point for transactions: batch_policy() decides per batch before any record is read.
// Control batches are kept whole today. When transactions exist, the cleaner must (as Kafka)
// (1) drop records of aborted transactions (an aborted-transaction index lookup by producer id
// and offset range goes into FilterContext), and (2) drop commit/abort markers once no data of
// their transaction remains below them and their delete horizon passed. Both belong in
// batch_policy() (whole-batch decisions) and keep_record() (per record).

#include <cstddef>
#include <cstdint>
#include <unordered_map>
#include <vector>

#include "broker/records/batch_header.h"
#include "broker/storage/offset_map.h"

namespace runnel::storage {

struct FilterContext {
  const OffsetMap* map = nullptr;
  int64_t map_end = 0;  // records at offsets >= this were not mapped: always kept
  int64_t now_ms = 0;
  int64_t delete_retention_ms = 0;
  // producer id -> last offset of its last batch in the cleaned range (RETAIN_EMPTY).
  const std::unordered_map<int64_t, int64_t>* producer_last_offsets = nullptr;
  size_t max_decompressed_bytes = 64u << 20;
};

enum class BatchAction : uint8_t {
  kept,        // original bytes appended
  rewritten,   // rebuilt batch appended
  kept_empty,  // empty header appended (producer state)
  dropped,     // nothing appended
};

struct BatchOutcome {
  BatchAction action = BatchAction::kept;
  int32_t records_kept = 0;
  int32_t records_removed = 0;
  bool tombstones_kept = false;
  int64_t delete_horizon = -1;  // of the appended batch, when it has one
  records::BatchHeader header;  // of the appended batch (valid unless dropped)
};

// Appends the filtered form of `batch` (one whole, CRC-checked batch of `size` bytes) to `out`.
// `scratch` is reused between calls. A batch whose body cannot be decoded is kept unchanged
// (it passed its CRC when written; the cleaner never destroys data it does not understand).
BatchOutcome filter_batch(const uint8_t* batch, size_t size, const FilterContext& ctx, std::vector<uint8_t>& out);

}  // namespace runnel::storage
