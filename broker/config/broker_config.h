#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "broker/config/config_def.h"
#include "broker/config/listener.h"
#include "broker/config/quorum_voters.h"
#include "broker/config/properties.h"
#include "broker/config/result.h"
#include "broker/config/topic_config.h"
#include "broker/model/named_type.h"

namespace runnel::config {

// The broker's static configuration, typed. Built once at startup by load(); read-only after.
// Field names follow the Kafka property names; units are in the names.
struct BrokerConfig {
  // Identity and roles.
  NodeId node_id{0};  // node.id, else broker.id, else 0
  std::vector<std::string> process_roles;
  std::optional<std::string> broker_rack;
  std::vector<std::string> controller_listener_names;
  // KRaft quorum: the static voters (controller.quorum.voters) or, for a dynamic quorum, the
  // endpoints to bootstrap from (controller.quorum.bootstrap.servers); static voters win.
  std::vector<QuorumVoter> controller_quorum_voters;
  std::vector<std::string> controller_quorum_bootstrap_servers;
  int32_t controller_quorum_election_timeout_ms = 1000;
  int32_t controller_quorum_fetch_timeout_ms = 2000;
  int32_t controller_quorum_request_timeout_ms = 2000;
  int32_t controller_quorum_election_backoff_max_ms = 1000;
  int32_t controller_quorum_retry_backoff_ms = 20;
  int32_t broker_heartbeat_interval_ms = 2000;
  int64_t metadata_log_max_record_bytes_between_snapshots = 20 * 1024 * 1024;
  int64_t metadata_log_max_snapshot_interval_ms = 3'600'000;  // 0: no time-based snapshots
  int32_t metadata_max_idle_interval_ms = 500;  // a NoOpRecord after this long without a record; 0: never
  int32_t broker_session_timeout_ms = 9000;
  bool is_controller() const;
  // metadata.log.dir, else the first of log_dirs: where the metadata log lives.
  std::string metadata_log_dir;
  // log_dirs, then metadata_log_dir if it is not one of them: every directory that carries
  // meta.properties.
  std::vector<std::string> storage_dirs() const;

  // Kafka listeners. `listeners` are bind addresses; `advertised_listeners` are what Metadata
  // returns (listeners minus controller listeners when advertised.listeners is unset; an empty
  // host there means "this machine's hostname", which the server fills in).
  std::vector<Endpoint> listeners;
  std::vector<Endpoint> advertised_listeners;
  std::string inter_broker_listener_name;
  int32_t socket_send_buffer_bytes = 0;
  int32_t socket_receive_buffer_bytes = 0;
  int32_t socket_request_max_bytes = 0;
  int32_t socket_listen_backlog_size = 0;
  int32_t max_connections = 0;
  int32_t max_connections_per_ip = 0;
  int64_t connections_max_idle_ms = 0;
  int32_t queued_max_requests = 0;
  int32_t request_timeout_ms = 0;

  // Topics.
  int32_t num_partitions = 1;
  int32_t default_replication_factor = 1;
  bool auto_create_topics_enable = true;
  bool delete_topic_enable = true;

  // Log manager (broker-wide; per-topic settings live in topic_defaults).
  std::vector<std::string> log_dirs;  // log.dirs, else log.dir
  int64_t log_retention_check_interval_ms = 0;
  int64_t log_flush_scheduler_interval_ms = 0;
  int32_t log_flush_offset_checkpoint_interval_ms = 0;
  bool log_cleaner_enable = true;
  int32_t log_cleaner_threads = 1;
  int64_t log_cleaner_backoff_ms = 0;
  int64_t log_cleaner_dedupe_buffer_size = 0;
  int32_t log_cleaner_io_buffer_size = 0;
  int32_t message_max_bytes = 0;
  // Effective settings of a topic with no overrides. Retention precedence is Kafka's:
  // log.retention.ms > log.retention.minutes > log.retention.hours (likewise roll and jitter).
  TopicConfig topic_defaults;

  // Replication and fetch.
  int32_t replica_fetch_max_bytes = 0;
  int64_t replica_lag_time_max_ms = 0;
  int32_t fetch_max_bytes = 0;
  int32_t max_incremental_fetch_session_cache_slots = 0;

  // Group coordinator.
  int32_t offsets_topic_num_partitions = 0;
  int16_t offsets_topic_replication_factor = 0;
  int32_t offsets_topic_segment_bytes = 0;
  int32_t offsets_retention_minutes = 0;
  int64_t offsets_retention_check_interval_ms = 0;
  int32_t offsets_commit_timeout_ms = 0;
  int32_t offset_metadata_max_bytes = 0;
  int32_t group_initial_rebalance_delay_ms = 0;
  int32_t group_min_session_timeout_ms = 0;
  int32_t group_max_session_timeout_ms = 0;
  int32_t group_max_size = 0;
  int32_t group_consumer_heartbeat_interval_ms = 0;
  int32_t group_consumer_session_timeout_ms = 0;
  int32_t group_consumer_max_size = 0;
  std::vector<std::string> group_consumer_assignors;

  // Transactions and idempotent producers.
  int32_t transaction_state_log_num_partitions = 0;
  int16_t transaction_state_log_replication_factor = 0;
  int32_t transaction_state_log_min_isr = 0;
  int32_t transaction_state_log_segment_bytes = 0;
  int32_t transaction_max_timeout_ms = 0;
  int32_t transactional_id_expiration_ms = 0;
  int32_t transaction_abort_timed_out_transaction_cleanup_interval_ms = 0;
  int32_t transaction_remove_expired_transaction_cleanup_interval_ms = 0;
  bool transaction_partition_verification_enable = true;
  int32_t producer_id_expiration_ms = 0;

  // Runnel.
  int32_t runnel_cores = 0;  // 0: all available cores
  std::vector<Endpoint> admin_listeners;  // name holds the scheme, e.g. "HTTP"
  int32_t admin_liveness_timeout_ms = 5000;
  bool admin_test_hooks_enable = false;
  int32_t metrics_partition_series_max = 1000;

  // Explicitly set values by layer, canonical names, validated: what DescribeConfigs reports
  // as STATIC_BROKER_CONFIG (and DYNAMIC_DEFAULT_BROKER_CONFIG once AlterConfigs stores some).
  BrokerLayers layers;
};

using Overrides = std::vector<std::pair<std::string, std::string>>;

// Builds the configuration from a properties file and `--override key=value` pairs (overrides
// win). Unknown keys and duplicate keys add a warning and are ignored. The first invalid value
// fails the load with Kafka's message plus where it came from, e.g.
// "Invalid value -5 for configuration num.partitions: Value must be at least 1 (line 12)".
Result<BrokerConfig> load(const Properties& file, const Overrides& overrides, std::vector<std::string>& warnings);

// The effective config of a topic with the given overrides (see make_topic_config).
Result<TopicConfig> topic_config_for(const BrokerConfig& broker, const RawConfigs& overrides);
Validation validate_topic_overrides(const BrokerConfig& broker, const RawConfigs& overrides);

}  // namespace runnel::config
