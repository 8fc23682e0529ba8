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
};

// Maps Kafka's effective topic configs onto LogConfig. Zero/unset values keep the defaults above.
LogConfig from(const config::TopicConfig& topic);

}  // namespace runnel::storage
