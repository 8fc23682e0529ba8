#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "broker/config/config_def.h"
#include "broker/config/result.h"
#include "broker/config/topic_config_defs.h"

namespace runnel::config {

enum class CompressionType { uncompressed, gzip, snappy, lz4, zstd, producer };
enum class TimestampType { create_time, log_append_time };

// The effective settings of one topic: broker defaults with the topic's overrides applied.
// Plain data, cheap to copy; storage reads it on every roll/retention decision.
struct TopicConfig {
  bool cleanup_delete = true;
  bool cleanup_compact = false;
  CompressionType compression_type = CompressionType::producer;
  int32_t compression_gzip_level = -1;
  int32_t compression_lz4_level = 9;
  int32_t compression_zstd_level = 3;
  int64_t delete_retention_ms = 0;
  int64_t file_delete_delay_ms = 0;
  int64_t flush_messages = 0;
  int64_t flush_ms = 0;
  std::vector<std::string> follower_replication_throttled_replicas;
  int32_t index_interval_bytes = 0;
  std::vector<std::string> leader_replication_throttled_replicas;
  int64_t local_retention_bytes = -2;
  int64_t local_retention_ms = -2;
  int64_t max_compaction_lag_ms = 0;
  int32_t max_message_bytes = 0;
  bool message_downconversion_enable = true;
  int64_t message_timestamp_after_max_ms = 0;
  int64_t message_timestamp_before_max_ms = 0;
  TimestampType message_timestamp_type = TimestampType::create_time;
  double min_cleanable_dirty_ratio = 0.5;
  int64_t min_compaction_lag_ms = 0;
  int32_t min_insync_replicas = 1;
  bool preallocate = false;
  bool remote_log_copy_disable = false;
  bool remote_log_delete_on_disable = false;
  bool remote_storage_enable = false;
  int64_t retention_bytes = -1;  // -1: no size limit
  int64_t retention_ms = 0;      // -1: keep forever
  int32_t segment_bytes = 0;
  int32_t segment_index_bytes = 0;
  int64_t segment_jitter_ms = 0;
  int64_t segment_ms = 0;
  bool unclean_leader_election_enable = false;

  // The topic's own settings as given (the ones DescribeConfigs reports as DYNAMIC_TOPIC_CONFIG).
  RawConfigs overrides;
};

// The value a topic config takes when the topic does not override it, derived from the broker
// synonyms (see TopicConfigDef), as a string in the topic's unit, and the source to report.
struct InheritedValue {
  std::optional<std::string> value;
  ConfigSource source = ConfigSource::default_config;
};
InheritedValue inherited_value(const TopicConfigDef& def, const BrokerLayers& broker);

// Checks a topic's overrides exactly as Kafka does on CreateTopics / AlterConfigs; each is a
// ConfigErrc::invalid_value (Kafka's INVALID_CONFIG) with Kafka's message:
//   unknown name            -> "Unknown topic config name: x"
//   unparsable/out of range -> "Invalid value v for configuration x: ..."
//   min lag > max lag       -> "conflict topic config setting ..."
//   remote.storage.enable   -> tiered storage is off in Runnel
Validation validate_topic_overrides(const BrokerLayers& broker, const RawConfigs& overrides);

// Builds the effective config. Fails with the same message validate_topic_overrides gives.
Result<TopicConfig> make_topic_config(const BrokerLayers& broker, const RawConfigs& overrides);

std::string_view compression_type_name(CompressionType type);
std::string_view timestamp_type_name(TimestampType type);

}  // namespace runnel::config
