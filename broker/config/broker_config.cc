#include "broker/config/broker_config.h"

#include <algorithm>
#include <map>

#include "broker/config/broker_config_defs.h"

namespace runnel::config {

namespace {

using Values = std::map<std::string_view, ConfigValue>;

int64_t long_of(const Values& v, std::string_view n) { return std::get<int64_t>(v.at(n)); }
int32_t int_of(const Values& v, std::string_view n) { return static_cast<int32_t>(long_of(v, n)); }
int16_t short_of(const Values& v, std::string_view n) { return static_cast<int16_t>(long_of(v, n)); }
bool bool_of(const Values& v, std::string_view n) { return std::get<bool>(v.at(n)); }
const std::vector<std::string>& list_of(const Values& v, std::string_view n) {
  return std::get<std::vector<std::string>>(v.at(n));
}
std::optional<std::string> string_of(const Values& v, std::string_view n) {
  const ConfigValue& x = v.at(n);
  if (std::holds_alternative<std::monostate>(x)) return std::nullopt;
  return std::get<std::string>(x);
}

// Kafka's GroupCoordinatorConfig checks: each group.consumer.* value within its min/max.
std::optional<std::string> check_consumer_group_ranges(const Values& v) {
  for (const char* what : {"session.timeout.ms", "heartbeat.interval.ms"}) {
    std::string base = std::string("group.consumer.") + what;
    std::string name_min = std::string("group.consumer.min.") + what;
    std::string name_max = std::string("group.consumer.max.") + what;
    int32_t value = int_of(v, base), lo = int_of(v, name_min), hi = int_of(v, name_max);
    if (value < lo) return base + " must be greater than or equal to " + name_min;
    if (value > hi) return base + " must be less than or equal to " + name_max;
  }
  return std::nullopt;
}

// Where a raw value came from, appended to error messages so a person can find it.
struct Origin {
  std::string value;
  std::string where;  // "line 12" or "--override"
};

Result<BrokerConfig> fail(std::string message) { return Unexpected(std::move(message)); }

// Listeners, advertised listeners and the inter-broker listener, validated as Kafka does.
std::optional<std::string> resolve_listeners(const Values& v, BrokerConfig& c) {
  Result<std::map<std::string, SecurityProtocol>> map =
      parse_security_protocol_map(string_of(v, "listener.security.protocol.map").value_or(""));
  if (!map.has_value()) return map.error();
  std::map<std::string, SecurityProtocol> protocols = map.value();
  for (const std::string& name : c.controller_listener_names) {
    // KRaft assumes PLAINTEXT for controller listeners missing from the map.
    protocols.emplace(name, SecurityProtocol::plaintext);
  }
  Result<std::vector<Endpoint>> bind = parse_listener_list("listeners", list_of(v, "listeners"), protocols, true);
  if (!bind.has_value()) return bind.error();
  c.listeners = bind.value();
  for (const Endpoint& e : c.listeners) {
    if (e.protocol != SecurityProtocol::plaintext) {
      return "Listener " + endpoint_string(e) + " uses security protocol " +
             std::string(security_protocol_name(e.protocol)) + "; Runnel supports only PLAINTEXT listeners";
    }
  }
  auto is_controller = [&](const Endpoint& e) {
    return std::find(c.controller_listener_names.begin(), c.controller_listener_names.end(), e.name) !=
           c.controller_listener_names.end();
  };
  if (std::holds_alternative<std::monostate>(v.at("advertised.listeners"))) {
    for (const Endpoint& e : c.listeners) {
      if (!is_controller(e)) c.advertised_listeners.push_back(e);
    }
  } else {
    Result<std::vector<Endpoint>> adv =
        parse_listener_list("advertised.listeners", list_of(v, "advertised.listeners"), protocols, false);
    if (!adv.has_value()) return adv.error();
    // Kafka never advertises controller listeners to clients, even when listed here (its
    // sample server.properties does list CONTROLLER).
    for (const Endpoint& e : adv.value()) {
      if (!is_controller(e)) c.advertised_listeners.push_back(e);
    }
  }
  for (const Endpoint& e : c.advertised_listeners) {
    if (e.host == "0.0.0.0" || e.host == "::") {
      return "advertised.listeners cannot use the nonroutable meta-address " + e.host +
             ". Use a routable IP address.";
    }
  }
  if (c.advertised_listeners.empty()) return "There must be at least one listener for Kafka clients in listeners";
  std::optional<std::string> ibl = string_of(v, "inter.broker.listener.name");
  c.inter_broker_listener_name = ibl ? *ibl : *string_of(v, "security.inter.broker.protocol");
  std::transform(c.inter_broker_listener_name.begin(), c.inter_broker_listener_name.end(),
                 c.inter_broker_listener_name.begin(), [](unsigned char ch) { return std::toupper(ch); });
  bool found = std::any_of(c.advertised_listeners.begin(), c.advertised_listeners.end(),
                           [&](const Endpoint& e) { return e.name == c.inter_broker_listener_name; });
  if (!found) {
    std::string names;
    for (const Endpoint& e : c.advertised_listeners) names += (names.empty() ? "" : ",") + e.name;
    return "inter.broker.listener.name must be a listener name defined in advertised.listeners. The valid "
           "options based on currently configured listeners are " + names;
  }
  return std::nullopt;
}

std::optional<std::string> resolve_admin_listeners(const Values& v, BrokerConfig& c) {
  for (const std::string& item : list_of(v, "runnel.admin.listeners")) {
    Result<Endpoint> e = parse_endpoint(item);
    if (!e.has_value()) return "Invalid value " + item + " for configuration runnel.admin.listeners: " + e.error();
    if (e.value().name != "HTTP") {
      return "Invalid value " + item + " for configuration runnel.admin.listeners: only http:// is supported";
    }
    c.admin_listeners.push_back(e.value());
  }
  return std::nullopt;
}

void assign_fields(const Values& v, BrokerConfig& c) {
  c.process_roles = list_of(v, "process.roles");
  c.broker_rack = string_of(v, "broker.rack");
  c.socket_send_buffer_bytes = int_of(v, "socket.send.buffer.bytes");
  c.socket_receive_buffer_bytes = int_of(v, "socket.receive.buffer.bytes");
  c.socket_request_max_bytes = int_of(v, "socket.request.max.bytes");
  c.socket_listen_backlog_size = int_of(v, "socket.listen.backlog.size");
  c.max_connections = int_of(v, "max.connections");
  c.max_connections_per_ip = int_of(v, "max.connections.per.ip");
  c.connections_max_idle_ms = long_of(v, "connections.max.idle.ms");
  c.queued_max_requests = int_of(v, "queued.max.requests");
  c.request_timeout_ms = int_of(v, "request.timeout.ms");
  c.num_partitions = int_of(v, "num.partitions");
  c.default_replication_factor = int_of(v, "default.replication.factor");
  c.auto_create_topics_enable = bool_of(v, "auto.create.topics.enable");
  c.delete_topic_enable = bool_of(v, "delete.topic.enable");
  c.log_retention_check_interval_ms = long_of(v, "log.retention.check.interval.ms");
  c.log_flush_scheduler_interval_ms = long_of(v, "log.flush.scheduler.interval.ms");
  c.log_flush_offset_checkpoint_interval_ms = int_of(v, "log.flush.offset.checkpoint.interval.ms");
  c.log_cleaner_enable = bool_of(v, "log.cleaner.enable");
  c.log_cleaner_threads = int_of(v, "log.cleaner.threads");
  c.log_cleaner_backoff_ms = long_of(v, "log.cleaner.backoff.ms");
  c.log_cleaner_dedupe_buffer_size = long_of(v, "log.cleaner.dedupe.buffer.size");
  c.log_cleaner_io_buffer_size = int_of(v, "log.cleaner.io.buffer.size");
  c.message_max_bytes = int_of(v, "message.max.bytes");
  c.replica_fetch_max_bytes = int_of(v, "replica.fetch.max.bytes");
  c.replica_lag_time_max_ms = long_of(v, "replica.lag.time.max.ms");
  c.controller_quorum_election_timeout_ms = int_of(v, "controller.quorum.election.timeout.ms");
  c.controller_quorum_fetch_timeout_ms = int_of(v, "controller.quorum.fetch.timeout.ms");
  c.metadata_log_max_record_bytes_between_snapshots = long_of(v, "metadata.log.max.record.bytes.between.snapshots");
  c.metadata_log_max_snapshot_interval_ms = long_of(v, "metadata.log.max.snapshot.interval.ms");
  c.metadata_max_idle_interval_ms = int_of(v, "metadata.max.idle.interval.ms");
  c.controller_quorum_request_timeout_ms = int_of(v, "controller.quorum.request.timeout.ms");
  c.controller_quorum_election_backoff_max_ms = int_of(v, "controller.quorum.election.backoff.max.ms");
  c.controller_quorum_retry_backoff_ms = int_of(v, "controller.quorum.retry.backoff.ms");
  c.broker_heartbeat_interval_ms = int_of(v, "broker.heartbeat.interval.ms");
  c.broker_session_timeout_ms = int_of(v, "broker.session.timeout.ms");
  c.fetch_max_bytes = int_of(v, "fetch.max.bytes");
  c.max_incremental_fetch_session_cache_slots = int_of(v, "max.incremental.fetch.session.cache.slots");
  c.offsets_topic_num_partitions = int_of(v, "offsets.topic.num.partitions");
  c.offsets_topic_replication_factor = short_of(v, "offsets.topic.replication.factor");
  c.offsets_topic_segment_bytes = int_of(v, "offsets.topic.segment.bytes");
  c.offsets_retention_minutes = int_of(v, "offsets.retention.minutes");
  c.offsets_retention_check_interval_ms = long_of(v, "offsets.retention.check.interval.ms");
  c.offsets_commit_timeout_ms = int_of(v, "offsets.commit.timeout.ms");
  c.offset_metadata_max_bytes = int_of(v, "offset.metadata.max.bytes");
  c.group_initial_rebalance_delay_ms = int_of(v, "group.initial.rebalance.delay.ms");
  c.group_min_session_timeout_ms = int_of(v, "group.min.session.timeout.ms");
  c.group_max_session_timeout_ms = int_of(v, "group.max.session.timeout.ms");
  c.group_max_size = int_of(v, "group.max.size");
  c.group_consumer_heartbeat_interval_ms = int_of(v, "group.consumer.heartbeat.interval.ms");
  c.group_consumer_session_timeout_ms = int_of(v, "group.consumer.session.timeout.ms");
  c.group_consumer_max_size = int_of(v, "group.consumer.max.size");
  c.group_consumer_assignors = list_of(v, "group.consumer.assignors");
  c.transaction_state_log_num_partitions = int_of(v, "transaction.state.log.num.partitions");
  c.transaction_state_log_replication_factor = short_of(v, "transaction.state.log.replication.factor");
  c.transaction_state_log_min_isr = int_of(v, "transaction.state.log.min.isr");
  c.transaction_state_log_segment_bytes = int_of(v, "transaction.state.log.segment.bytes");
  c.transaction_max_timeout_ms = int_of(v, "transaction.max.timeout.ms");
  c.transactional_id_expiration_ms = int_of(v, "transactional.id.expiration.ms");
  c.transaction_abort_timed_out_transaction_cleanup_interval_ms =
      int_of(v, "transaction.abort.timed.out.transaction.cleanup.interval.ms");
  c.transaction_remove_expired_transaction_cleanup_interval_ms =
      int_of(v, "transaction.remove.expired.transaction.cleanup.interval.ms");
  c.transaction_partition_verification_enable = bool_of(v, "transaction.partition.verification.enable");
  c.producer_id_expiration_ms = int_of(v, "producer.id.expiration.ms");
  c.runnel_cores = int_of(v, "runnel.cores");
  c.admin_liveness_timeout_ms = int_of(v, "runnel.admin.liveness.timeout.ms");
  c.admin_test_hooks_enable = bool_of(v, "runnel.admin.test.hooks.enable");
  c.metrics_partition_series_max = int_of(v, "runnel.metrics.partition.series.max");
}

}  // namespace

Result<BrokerConfig> load(const Properties& file, const Overrides& overrides, std::vector<std::string>& warnings) {
  // Gather raw values, later ones winning: the file in order, then the command line.
  std::map<std::string, Origin, std::less<>> raw;
  auto take = [&](const std::string& given_key, const std::string& value, const std::string& where) {
    std::string key(canonical_broker_config_name(given_key));
    if (find_broker_config_def(key) == nullptr) {
      warnings.push_back("The configuration '" + given_key + "' was supplied but isn't a known config (" + where +
                         "); it is ignored.");
      return;
    }
    auto [it, inserted] = raw.insert_or_assign(key, Origin{value, where});
    (void)it;
    if (!inserted && where != "--override") {
      warnings.push_back("Duplicate configuration '" + key + "' (" + where + ") replaces an earlier value.");
    }
  };
  for (const Property& p : file.entries()) take(p.key, p.value, "line " + std::to_string(p.line));
  for (const auto& [k, v] : overrides) take(k, v, "--override");

  // Parse every property: the explicit value if given, else the default.
  Values values;
  BrokerConfig c;
  for (const ConfigDef& def : broker_config_defs()) {
    auto it = raw.find(def.name);
    if (it == raw.end()) {
      values[def.name] = default_value(def);
      continue;
    }
    Result<ConfigValue> parsed = parse_value(def, it->second.value);
    if (!parsed.has_value()) return fail(parsed.error() + " (" + it->second.where + ")");
    values[def.name] = std::move(parsed).value();
    c.layers.static_file[std::string(def.name)] = it->second.value;
  }

  // Identity: node.id and broker.id are the same setting under two names.
  int32_t node_id = int_of(values, "node.id");
  int32_t broker_id = int_of(values, "broker.id");
  if (node_id >= 0 && broker_id >= 0 && node_id != broker_id) {
    return fail("If both node.id and broker.id are defined, they must be the same value. Found node.id=" +
                std::to_string(node_id) + ", broker.id=" + std::to_string(broker_id));
  }
  c.node_id = NodeId(std::max(node_id >= 0 ? node_id : broker_id, 0));

  assign_fields(values, c);
  const auto& dirs = std::holds_alternative<std::monostate>(values.at("log.dirs")) ? list_of(values, "log.dir")
                                                                                    : list_of(values, "log.dirs");
  for (const std::string& d : dirs) {
    if (d.empty()) return fail("Invalid value " + d + " for configuration log.dirs: empty directory name");
    if (std::find(c.log_dirs.begin(), c.log_dirs.end(), d) != c.log_dirs.end()) {
      return fail("Invalid value " + d + " for configuration log.dirs: duplicate directory");
    }
    c.log_dirs.push_back(d);
  }
  // (No log directory is refused below.)
  c.metadata_log_dir = string_of(values, "metadata.log.dir").value_or(c.log_dirs.empty() ? "" : c.log_dirs.front());

  // The quorum: static voters, or bootstrap servers for a dynamic quorum.
  Result<std::vector<QuorumVoter>> voters =
      parse_quorum_voters(list_of(values, "controller.quorum.voters"), VoterSyntax::static_voters);
  if (!voters) return fail(voters.error() + " in controller.quorum.voters");
  c.controller_quorum_voters = std::move(voters).value();
  // With both set, the static voters define the quorum (a static quorum has no bootstrap).
  c.controller_quorum_bootstrap_servers = list_of(values, "controller.quorum.bootstrap.servers");
  if (c.log_dirs.empty()) return fail("At least one log directory must be defined via log.dirs or log.dir.");
  if (bool_of(values, "remote.log.storage.system.enable")) {
    return fail("remote.log.storage.system.enable=true is not supported: Runnel has no tiered storage");
  }
  if (auto names = string_of(values, "controller.listener.names")) {
    Result<ConfigValue> split = parse_value(ConfigDef{"controller.listener.names", ConfigType::list, {}, {},
                                                      Importance::high, UpdateMode::read_only, {}},
                                            *names);
    for (std::string n : std::get<std::vector<std::string>>(split.value())) {
      std::transform(n.begin(), n.end(), n.begin(), [](unsigned char ch) { return std::toupper(ch); });
      c.controller_listener_names.push_back(n);
    }
  }
  if (auto error = resolve_listeners(values, c)) return fail(*error);
  if (auto error = resolve_admin_listeners(values, c)) return fail(*error);
  if (auto error = check_consumer_group_ranges(values)) return fail(*error);

  Result<TopicConfig> defaults = make_topic_config(c.layers, {});
  if (!defaults.has_value()) return fail(defaults.error());
  c.topic_defaults = std::move(defaults).value();
  return c;
}

Result<TopicConfig> topic_config_for(const BrokerConfig& broker, const RawConfigs& overrides) {
  return make_topic_config(broker.layers, overrides);
}

Validation validate_topic_overrides(const BrokerConfig& broker, const RawConfigs& overrides) {
  return validate_topic_overrides(broker.layers, overrides);
}

}  // namespace runnel::config

namespace runnel::config {

std::vector<std::string> BrokerConfig::storage_dirs() const {
  std::vector<std::string> dirs = log_dirs;
  if (std::find(dirs.begin(), dirs.end(), metadata_log_dir) == dirs.end()) dirs.push_back(metadata_log_dir);
  return dirs;
}

bool BrokerConfig::is_controller() const {
  return std::find(process_roles.begin(), process_roles.end(), "controller") != process_roles.end();
}

}  // namespace runnel::config
