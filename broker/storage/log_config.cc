#include "broker/storage/log_config.h"

#include <algorithm>

#include "broker/config/topic_config.h"

namespace runnel::storage {

LogConfig from(const config::TopicConfig& t) {
  LogConfig c;
  if (t.segment_bytes > 0) c.segment_bytes = t.segment_bytes;
  if (t.segment_ms > 0) c.segment_ms = t.segment_ms;
  c.retention_ms = t.retention_ms;
  c.retention_bytes = t.retention_bytes;
  if (t.index_interval_bytes > 0) c.index_interval_bytes = t.index_interval_bytes;
  if (t.segment_index_bytes > 0) c.segment_index_bytes = t.segment_index_bytes;
  if (t.flush_messages > 0) c.flush_messages = t.flush_messages;
  if (t.flush_ms > 0) c.flush_ms = t.flush_ms;
  c.cleanup_delete = t.cleanup_delete;
  c.cleanup_compact = t.cleanup_compact;
  if (t.delete_retention_ms >= 0) c.delete_retention_ms = t.delete_retention_ms;
  c.min_cleanable_dirty_ratio = t.min_cleanable_dirty_ratio;
  if (t.min_compaction_lag_ms >= 0) c.min_compaction_lag_ms = t.min_compaction_lag_ms;
  if (t.max_compaction_lag_ms > 0) c.max_compaction_lag_ms = t.max_compaction_lag_ms;
  if (c.cleanup_compact) c.segment_ms = std::min(c.segment_ms, c.max_compaction_lag_ms);
  return c;
}

}  // namespace runnel::storage
