#include "broker/storage/log_config.h"

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
  return c;
}

}  // namespace runnel::storage
