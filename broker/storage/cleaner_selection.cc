#include "broker/storage/cleaner_selection.h"

#include <algorithm>

namespace runnel::storage {

CleanableRange assess_cleanable(const std::vector<SegmentInfo>& segments, int64_t log_start, int64_t log_end,
                                int64_t checkpoint, const LogConfig& config, int64_t now_ms,
                                int64_t earliest_delete_horizon) {
  CleanableRange r;
  // Kafka resets a checkpoint outside the log (after retention or truncation) to the log start.
  r.first_dirty = (checkpoint < log_start || checkpoint > log_end) ? log_start : checkpoint;
  r.first_uncleanable = r.first_dirty;
  if (!config.cleanup_compact || segments.size() < 2) return r;

  // The active segment (last) is never cleaned; neither is a segment the sealer has not finished.
  int64_t uncleanable = segments.back().base_offset;
  for (size_t i = 0; i + 1 < segments.size(); ++i) {
    const SegmentInfo& s = segments[i];
    if (!s.stable) {
      uncleanable = std::min(uncleanable, s.base_offset);
      break;
    }
  }
  // min.compaction.lag.ms: the first dirty segment holding a record younger than the lag.
  if (config.min_compaction_lag_ms > 0) {
    for (size_t i = 0; i + 1 < segments.size(); ++i) {
      const SegmentInfo& s = segments[i];
      if (s.next_offset <= r.first_dirty) continue;
      if (s.max_timestamp > now_ms - config.min_compaction_lag_ms) {
        uncleanable = std::min(uncleanable, s.base_offset);
        break;
      }
    }
  }
  r.first_uncleanable = std::max(uncleanable, r.first_dirty);

  for (const SegmentInfo& s : segments) {
    if (s.base_offset < r.first_dirty) r.clean_bytes += s.size_bytes;
    if (s.base_offset < r.first_uncleanable && s.next_offset > r.first_dirty) r.dirty_bytes += s.size_bytes;
  }
  const int64_t total = r.clean_bytes + r.dirty_bytes;
  r.ratio = total > 0 ? double(r.dirty_bytes) / double(total) : 0.0;

  // max.compaction.lag.ms: the first dirty segment's first batch decides.
  if (config.max_compaction_lag_ms < std::numeric_limits<int64_t>::max() && r.dirty_bytes > 0) {
    for (size_t i = 0; i + 1 < segments.size(); ++i) {
      const SegmentInfo& s = segments[i];
      if (s.next_offset <= r.first_dirty || s.base_offset >= r.first_uncleanable) continue;
      const int64_t t = s.first_batch_timestamp >= 0 ? s.first_batch_timestamp : s.max_timestamp;
      r.max_lag_exceeded = t >= 0 && now_ms - t > config.max_compaction_lag_ms;
      break;
    }
  }
  r.delete_horizon_passed = r.clean_bytes > 0 && earliest_delete_horizon <= now_ms;

  const bool has_dirty = r.first_uncleanable > r.first_dirty && r.dirty_bytes > 0;
  r.cleanable = (has_dirty && (r.ratio > config.min_cleanable_dirty_ratio || r.max_lag_exceeded)) ||
                r.delete_horizon_passed;
  return r;
}

}  // namespace runnel::storage
