#include "broker/config/topic_config.h"

#include <algorithm>
#include <map>

#include "broker/config/broker_config_defs.h"

namespace runnel::config {

namespace {

const std::string* find_raw(const RawConfigs& m, std::string_view name) {
  auto it = m.find(name);
  return it == m.end() ? nullptr : &it->second;
}

// Converts a broker synonym's value to the topic's unit. Kafka normalises any negative broker
// retention to -1 ("forever") before topics inherit it.
std::optional<std::string> convert(const BrokerSynonym& syn, std::string_view topic_name,
                                   const std::string& raw) {
  const ConfigDef* bdef = find_broker_config_def(syn.name);
  RUNNEL_ASSERT(bdef != nullptr, "synonym %.*s missing from broker table", static_cast<int>(syn.name.size()),
                syn.name.data());
  Result<ConfigValue> parsed = parse_value(*bdef, raw);
  if (!parsed.has_value()) return std::nullopt;  // broker values are validated at load; stay defensive
  ConfigValue v = std::move(parsed).value();
  if (auto* n = std::get_if<int64_t>(&v)) {
    int64_t x = *n;
    if (syn.to_topic_unit != 1 && x > INT64_MAX / syn.to_topic_unit) x = INT64_MAX;
    else x *= syn.to_topic_unit;
    if (topic_name == "retention.ms" && x < 0) x = -1;
    v = x;
  }
  return to_string(v);
}

using Parsed = std::map<std::string_view, ConfigValue>;

int64_t as_long(const Parsed& p, std::string_view name) { return std::get<int64_t>(p.at(name)); }
int32_t as_int(const Parsed& p, std::string_view name) { return static_cast<int32_t>(as_long(p, name)); }
bool as_bool(const Parsed& p, std::string_view name) { return std::get<bool>(p.at(name)); }
const std::string& as_string(const Parsed& p, std::string_view name) { return std::get<std::string>(p.at(name)); }
const std::vector<std::string>& as_list(const Parsed& p, std::string_view name) {
  return std::get<std::vector<std::string>>(p.at(name));
}

CompressionType parse_compression(const std::string& s) {
  if (s == "uncompressed") return CompressionType::uncompressed;
  if (s == "gzip") return CompressionType::gzip;
  if (s == "snappy") return CompressionType::snappy;
  if (s == "lz4") return CompressionType::lz4;
  if (s == "zstd") return CompressionType::zstd;
  return CompressionType::producer;
}

// Parses every topic config (override, else inherited) or returns Kafka's error.
Validation parse_all(const BrokerLayers& broker, const RawConfigs& overrides, Parsed& out) {
  for (const auto& [name, value] : overrides) {
    if (find_topic_config_def(name) == nullptr) {
      return Unexpected(ConfigError{ConfigErrc::invalid_value, "Unknown topic config name: " + name});
    }
  }
  for (const TopicConfigDef& t : topic_config_defs()) {
    const std::string* own = find_raw(overrides, t.def.name);
    std::optional<std::string> raw = own ? std::optional<std::string>(*own) : inherited_value(t, broker).value;
    Result<ConfigValue> parsed = raw ? parse_value(t.def, *raw) : Result<ConfigValue>(default_value(t.def));
    if (!parsed.has_value()) return Unexpected(ConfigError{ConfigErrc::invalid_value, parsed.error()});
    out[t.def.name] = std::move(parsed).value();
  }
  int64_t min_lag = as_long(out, "min.compaction.lag.ms");
  int64_t max_lag = as_long(out, "max.compaction.lag.ms");
  if (min_lag > max_lag) {
    return Unexpected(ConfigError{ConfigErrc::invalid_value, "conflict topic config setting min.compaction.lag.ms (" +
                                                                 std::to_string(min_lag) + ") > max.compaction.lag.ms (" +
                                                                 std::to_string(max_lag) + ")"});
  }
  if (as_bool(out, "remote.storage.enable")) {
    // Runnel has no tiered storage, so it answers as Kafka does with
    // remote.log.storage.system.enable=false.
    return Unexpected(ConfigError{ConfigErrc::invalid_value,
                                  "Tiered Storage functionality is disabled in the broker. Topic cannot be "
                                  "configured with remote log storage."});
  }
  return {};
}

}  // namespace

InheritedValue inherited_value(const TopicConfigDef& def, const BrokerLayers& broker) {
  for (const BrokerSynonym& syn : def.synonyms) {
    if (const std::string* v = find_raw(broker.dynamic_broker, syn.name)) {
      return {convert(syn, def.def.name, *v), ConfigSource::dynamic_broker};
    }
    if (const std::string* v = find_raw(broker.dynamic_default, syn.name)) {
      return {convert(syn, def.def.name, *v), ConfigSource::dynamic_default_broker};
    }
    if (const std::string* v = find_raw(broker.static_file, syn.name)) {
      return {convert(syn, def.def.name, *v), ConfigSource::static_broker};
    }
  }
  for (const BrokerSynonym& syn : def.synonyms) {
    const ConfigDef* bdef = find_broker_config_def(syn.name);
    if (bdef != nullptr && bdef->default_value) {
      return {convert(syn, def.def.name, std::string(*bdef->default_value)), ConfigSource::default_config};
    }
  }
  return {to_string(default_value(def.def)), ConfigSource::default_config};
}

Validation validate_topic_overrides(const BrokerLayers& broker, const RawConfigs& overrides) {
  Parsed parsed;
  return parse_all(broker, overrides, parsed);
}

Result<TopicConfig> make_topic_config(const BrokerLayers& broker, const RawConfigs& overrides) {
  Parsed p;
  if (Validation parsed = parse_all(broker, overrides, p); !parsed) {
    return Unexpected(std::move(parsed).error().message);
  }
  TopicConfig c;
  const auto& policies = as_list(p, "cleanup.policy");
  c.cleanup_delete = std::find(policies.begin(), policies.end(), "delete") != policies.end();
  c.cleanup_compact = std::find(policies.begin(), policies.end(), "compact") != policies.end();
  c.compression_type = parse_compression(as_string(p, "compression.type"));
  c.compression_gzip_level = as_int(p, "compression.gzip.level");
  c.compression_lz4_level = as_int(p, "compression.lz4.level");
  c.compression_zstd_level = as_int(p, "compression.zstd.level");
  c.delete_retention_ms = as_long(p, "delete.retention.ms");
  c.file_delete_delay_ms = as_long(p, "file.delete.delay.ms");
  c.flush_messages = as_long(p, "flush.messages");
  c.flush_ms = as_long(p, "flush.ms");
  c.follower_replication_throttled_replicas = as_list(p, "follower.replication.throttled.replicas");
  c.index_interval_bytes = as_int(p, "index.interval.bytes");
  c.leader_replication_throttled_replicas = as_list(p, "leader.replication.throttled.replicas");
  c.local_retention_bytes = as_long(p, "local.retention.bytes");
  c.local_retention_ms = as_long(p, "local.retention.ms");
  c.max_compaction_lag_ms = as_long(p, "max.compaction.lag.ms");
  c.max_message_bytes = as_int(p, "max.message.bytes");
  c.message_downconversion_enable = as_bool(p, "message.downconversion.enable");
  c.message_timestamp_after_max_ms = as_long(p, "message.timestamp.after.max.ms");
  c.message_timestamp_before_max_ms = as_long(p, "message.timestamp.before.max.ms");
  c.message_timestamp_type = as_string(p, "message.timestamp.type") == "LogAppendTime" ? TimestampType::log_append_time
                                                                                      : TimestampType::create_time;
  c.min_cleanable_dirty_ratio = std::get<double>(p.at("min.cleanable.dirty.ratio"));
  c.min_compaction_lag_ms = as_long(p, "min.compaction.lag.ms");
  c.min_insync_replicas = as_int(p, "min.insync.replicas");
  c.preallocate = as_bool(p, "preallocate");
  c.remote_log_copy_disable = as_bool(p, "remote.log.copy.disable");
  c.remote_log_delete_on_disable = as_bool(p, "remote.log.delete.on.disable");
  c.remote_storage_enable = as_bool(p, "remote.storage.enable");
  c.retention_bytes = as_long(p, "retention.bytes");
  c.retention_ms = as_long(p, "retention.ms");
  c.segment_bytes = as_int(p, "segment.bytes");
  c.segment_index_bytes = as_int(p, "segment.index.bytes");
  c.segment_jitter_ms = as_long(p, "segment.jitter.ms");
  c.segment_ms = as_long(p, "segment.ms");
  c.unclean_leader_election_enable = as_bool(p, "unclean.leader.election.enable");
  c.overrides = overrides;
  return c;
}

std::string_view compression_type_name(CompressionType type) {
  switch (type) {
    case CompressionType::uncompressed: return "uncompressed";
    case CompressionType::gzip: return "gzip";
    case CompressionType::snappy: return "snappy";
    case CompressionType::lz4: return "lz4";
    case CompressionType::zstd: return "zstd";
    case CompressionType::producer: return "producer";
  }
  return "producer";
}

std::string_view timestamp_type_name(TimestampType type) {
  return type == TimestampType::log_append_time ? "LogAppendTime" : "CreateTime";
}

}  // namespace runnel::config
