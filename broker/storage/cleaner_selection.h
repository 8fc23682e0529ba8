#pragma once

// Which part of a compacted log the cleaner may rewrite, and whether it is worth it now
// (Kafka's LogCleanerManager.cleanableOffsets / LogToClean / grabFilthiestCompactedLog).
//
//   [log start, first dirty)           the clean section: compacted before (first dirty is the
//                                      cleaner checkpoint, clamped into [log start, LEO])
//   [first dirty, first uncleanable)   the dirty section the next cleaning maps
//   [first uncleanable, LEO)           never touched: the active segment, any segment whose
//                                      largest timestamp is younger than min.compaction.lag.ms,
//                                      and anything not yet sealed/synced by the sealer
//
// A log is cleaned when cleanup.policy contains compact and
//   dirty / (clean + dirty) > min.cleanable.dirty.ratio, or
//   the first dirty segment's first batch is older than max.compaction.lag.ms (and there are
//   dirty bytes), or
//   a tombstone's delete horizon (KIP-534, see cleaner_rewrite.h) has passed (Runnel: Kafka only
//   removes such tombstones when dirty data triggers the next cleaning).
// Pure functions over a plain description of the segments, so the rules are unit-testable.

#include <cstdint>
#include <limits>
#include <vector>

#include "broker/storage/log_config.h"

namespace runnel::storage {

struct SegmentInfo {
  int64_t base_offset = 0;
  int64_t next_offset = 0;       // one past its last offset
  int64_t size_bytes = 0;
  int64_t max_timestamp = -1;    // largest batch max timestamp, -1 if none
  int64_t first_batch_timestamp = -1;  // the first batch's max timestamp (Kafka's getFirstBatchTimestamp)
  bool stable = false;           // sealed, written and synced: safe to read from another thread
};

struct CleanableRange {
  int64_t first_dirty = 0;
  int64_t first_uncleanable = 0;
  int64_t clean_bytes = 0;
  int64_t dirty_bytes = 0;
  double ratio = 0;
  bool max_lag_exceeded = false;
  bool delete_horizon_passed = false;
  bool cleanable = false;
  // Ordering among logs: forced cleanings first, then the filthiest (highest ratio).
  double priority() const { return max_lag_exceeded || delete_horizon_passed ? 2.0 + ratio : ratio; }
};

// `segments`: the whole log, oldest first, the active segment last. `checkpoint`: the cleaner
// checkpoint (-1 when none). `earliest_delete_horizon`: smallest delete horizon of a retained
// tombstone batch known to the log (INT64_MAX when none / unknown).
CleanableRange assess_cleanable(const std::vector<SegmentInfo>& segments, int64_t log_start, int64_t log_end,
                                int64_t checkpoint, const LogConfig& config, int64_t now_ms,
                                int64_t earliest_delete_horizon = std::numeric_limits<int64_t>::max());

}  // namespace runnel::storage
