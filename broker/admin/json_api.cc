#include "broker/admin/json_api.h"

#include <algorithm>
#include <cctype>

#include "broker/config/describe.h"
#include "broker/metrics/clock.h"

namespace runnel::admin {

using nlohmann::json;

namespace {

json endpoints(const std::vector<config::Endpoint>& list) {
  json out = json::array();
  for (const auto& e : list) out.push_back({{"name", e.name}, {"host", e.host}, {"port", e.port}});
  return out;
}

const char* source_name(config::ConfigSource s) {
  switch (s) {
    case config::ConfigSource::topic: return "DYNAMIC_TOPIC_CONFIG";
    case config::ConfigSource::dynamic_broker: return "DYNAMIC_BROKER_CONFIG";
    case config::ConfigSource::dynamic_default_broker: return "DYNAMIC_DEFAULT_BROKER_CONFIG";
    case config::ConfigSource::static_broker: return "STATIC_BROKER_CONFIG";
    case config::ConfigSource::default_config: return "DEFAULT_CONFIG";
    case config::ConfigSource::dynamic_broker_logger: return "DYNAMIC_BROKER_LOGGER_CONFIG";
    case config::ConfigSource::client_metrics: return "CLIENT_METRICS_CONFIG";
    case config::ConfigSource::group: return "GROUP_CONFIG";
    case config::ConfigSource::unknown: break;
  }
  return "UNKNOWN";
}

}  // namespace

json broker_json(const config::BrokerConfig& config, const metrics::BrokerProbe& probe, const std::string& version) {
  return {
      {"node_id", config.node_id.value()},
      {"cluster_id", probe.cluster_id()},
      {"version", version},
      {"cores", probe.shard_count()},
      {"rack", config.broker_rack ? json(*config.broker_rack) : json(nullptr)},
      {"started_at_ms", probe.started_at_unix_ms()},
      {"ready", probe.ready()},
      {"listeners", endpoints(config.listeners)},
      {"advertised_listeners", endpoints(config.advertised_listeners)},
      {"admin_listeners", endpoints(config.admin_listeners)},
      {"log_dirs", config.log_dirs},
  };
}

json config_json(const config::BrokerConfig& config) {
  json out = json::array();
  for (const config::DescribedConfig& c : config::describe_broker_configs(config)) {
    json v = c.is_sensitive ? json(nullptr) : (c.value ? json(*c.value) : json(nullptr));
    out.push_back({{"name", c.name},
                   {"value", v},
                   {"source", source_name(c.source)},
                   {"read_only", c.read_only},
                   {"sensitive", c.is_sensitive}});
  }
  return {{"configs", out}};
}

json topics_json(const PartitionView& view) {
  json topics = json::array();
  for (size_t i = 0; i < view.partitions.size(); ++i) {
    const metrics::PartitionStats& p = *view.partitions[i];
    if (topics.empty() || topics.back()["name"] != p.topic) {
      const auto t = view.traffic.find(p.topic);
      metrics::TopicTraffic traffic = t != view.traffic.end() ? t->second : metrics::TopicTraffic{};
      topics.push_back({{"name", p.topic},
                        {"topic_id", p.topic_id},
                        {"bytes_in", traffic.bytes_in},
                        {"records_in", traffic.records_in},
                        {"bytes_out", traffic.bytes_out},
                        {"partitions", json::array()}});
    }
    topics.back()["partitions"].push_back({{"partition", p.partition},
                                           {"leader_epoch", p.leader_epoch},
                                           {"log_start_offset", p.log_start_offset},
                                           {"log_end_offset", p.log_end_offset},
                                           {"high_watermark", p.high_watermark},
                                           {"flushed_offset", p.flushed_offset},
                                           {"size_bytes", p.size_bytes},
                                           {"segments", p.segment_count},
                                           {"failed", p.failed},
                                           {"storage_state", p.failed         ? "failed"
                                                             : p.out_of_space ? "out_of_space"
                                                                              : "ok"},
                                           {"shard", view.owner[i]}});
  }
  int64_t age_ms = view.oldest_ns == 0 ? 0 : (metrics::mono_ns() - view.oldest_ns) / 1'000'000;
  return {{"topics", topics}, {"snapshot_age_ms", age_ms}};
}

json groups_json(const std::vector<GroupView>& groups) {
  json out = json::array();
  for (const GroupView& g : groups) {
    json offsets = json::array();
    for (const GroupLag& l : g.lag) {
      offsets.push_back({{"topic", l.offset->topic},
                         {"partition", l.offset->partition},
                         {"committed_offset", l.offset->committed_offset},
                         {"high_watermark", l.high_watermark},
                         {"lag", l.lag}});
    }
    out.push_back({{"group_id", g.stats->group_id},
                   {"state", g.stats->state},
                   {"protocol_type", g.stats->protocol_type},
                   {"members", g.stats->members},
                   {"offsets", offsets}});
  }
  return {{"groups", out}};
}

namespace {

json id_or_null(int32_t id) { return id >= 0 ? json(id) : json(nullptr); }

// A voter or observer as the leader sees it: log_end_offset, lag and the ages are the leader's
// knowledge, null on any other node.
json replica_json(const metrics::QuorumSnapshot& q, const metrics::QuorumVoterStats& v) {
  const bool known = v.log_end_offset >= 0;
  auto ms = [](int64_t age) { return age >= 0 ? json(age) : json(nullptr); };
  return {{"node_id", v.id},
          {"log_end_offset", known ? json(v.log_end_offset) : json(nullptr)},
          {"lag", known ? json(std::max<int64_t>(0, q.log_end_offset - v.log_end_offset)) : json(nullptr)},
          {"last_fetch_age_ms", ms(v.last_fetch_age_ms)},
          {"last_caught_up_age_ms", ms(v.last_caught_up_age_ms)}};
}

json quorum_json(const metrics::QuorumSnapshot& q) {
  json voters = json::array();
  for (const metrics::QuorumVoterStats& v : q.voters) {
    json j = replica_json(q, v);
    j["host"] = v.host;
    j["port"] = v.port;
    voters.push_back(std::move(j));
  }
  json observers = json::array();
  for (const metrics::QuorumVoterStats& o : q.observers) observers.push_back(replica_json(q, o));
  return {{"role", q.role},
          {"voter", q.voter},
          {"observers", observers},
          {"leader_id", id_or_null(q.leader_id)},
          {"epoch", q.epoch},
          {"high_watermark", q.high_watermark},
          {"log_end_offset", q.log_end_offset},
          {"failed", q.failed},
          {"voters", voters},
          {"snapshot_age_ms", (metrics::mono_ns() - q.taken_at_ns) / 1'000'000}};
}

}  // namespace

json cluster_json(const config::BrokerConfig& config, const metrics::BrokerProbe& probe) {
  std::shared_ptr<const metrics::QuorumSnapshot> q = probe.quorum();
  const int32_t self_id = config.node_id.value();
  json brokers = json::array();
  if (q && q->brokers_known) {
    // Every broker the committed metadata image registers, with its registration's state.
    for (const metrics::ClusterBrokerStats& b : q->brokers) {
      json eps = json::array();
      for (const auto& e : b.endpoints) eps.push_back({{"name", e.name}, {"host", e.host}, {"port", e.port}});
      brokers.push_back({{"node_id", b.id},
                         {"state", b.state},
                         {"epoch", b.epoch},
                         {"rack", b.rack ? json(*b.rack) : json(nullptr)},
                         {"endpoints", eps},
                         {"self", b.id == self_id}});
    }
  } else {
    // No image yet (or no quorum: a lone node): this node as its configuration says.
    brokers.push_back({{"node_id", self_id},
                       {"state", probe.stopping() ? "shutting_down" : "unfenced"},
                       {"epoch", nullptr},
                       {"rack", config.broker_rack ? json(*config.broker_rack) : json(nullptr)},
                       {"endpoints", endpoints(config.advertised_listeners)},
                       {"self", true}});
  }
  return {{"cluster_id", probe.cluster_id()},
          {"node_id", self_id},
          {"quorum", q ? quorum_json(*q) : json(nullptr)},
          {"active_controller", q ? id_or_null(q->active_controller()) : json(nullptr)},
          {"brokers", brokers}};
}

std::optional<log::Level> parse_level(std::string_view name) {
  std::string n(name);
  std::transform(n.begin(), n.end(), n.begin(), [](unsigned char c) { return std::tolower(c); });
  if (n == "debug" || n == "trace") return log::Level::debug;
  if (n == "info") return log::Level::info;
  if (n == "warn" || n == "warning") return log::Level::warn;
  if (n == "error") return log::Level::error;
  return std::nullopt;
}

const char* level_name(log::Level level) {
  switch (level) {
    case log::Level::debug: return "debug";
    case log::Level::info: return "info";
    case log::Level::warn: return "warn";
    case log::Level::error: return "error";
  }
  return "info";
}

}  // namespace runnel::admin
