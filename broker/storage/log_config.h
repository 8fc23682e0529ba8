#pragma once

// The subset of a topic's effective configuration that the storage engine reads. Kept separate
// from config::TopicConfig so storage tests need no config plumbing, and so the engine states
// exactly which knobs it honours.

#include <cstdint>
#include <limits>

namespace runnel::config {
struct TopicConfig;
}

namespace runnel::storage {

struct LogConfig {
  int64_t segment_bytes = 1 << 30;                 // segment.bytes
  int64_t segment_ms = 7LL * 24 * 3600 * 1000;     // segment.ms
  int64_t retention_ms = 7LL * 24 * 3600 * 1000;   // retention.ms (< 0: keep forever)
  int64_t retention_bytes = -1;                    // retention.bytes (< 0: no size limit)
  int32_t index_interval_bytes = 4096;             // index.interval.bytes
  int32_t segment_index_bytes = 10 * 1024 * 1024;  // segment.index.bytes (caps entries/segment)
  int64_t flush_messages = std::numeric_limits<int64_t>::max();  // flush.messages
  int64_t flush_ms = std::numeric_limits<int64_t>::max();        // flush.ms
  // cleanup.policy: delete (retention) and/or compact (the log cleaner, cleaner.h).
  bool cleanup_delete = true;
  bool cleanup_compact = false;
  int64_t delete_retention_ms = 86'400'000;                      // delete.retention.ms
  double min_cleanable_dirty_ratio = 0.5;                        // min.cleanable.dirty.ratio
  int64_t min_compaction_lag_ms = 0;                             // min.compaction.lag.ms
  int64_t max_compaction_lag_ms = std::numeric_limits<int64_t>::max();  // max.compaction.lag.ms
};

// Maps Kafka's effective topic configs onto LogConfig. Zero/unset values keep the defaults above.
// As Kafka's LogConfig.maxSegmentMs, a compacted topic rolls its active segment after
// min(segment.ms, max.compaction.lag.ms), so that max.compaction.lag.ms can be honoured (the
// active segment is never cleaned).
LogConfig from(const config::TopicConfig& topic);

}  // namespace runnel::storage
