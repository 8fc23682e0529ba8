// DescribeConfigs (API 32) for TOPIC, BROKER and BROKER_LOGGER resources, following Kafka's
// ConfigHelper.describeConfigs: entries come from broker/config/describe.h, filtered by the
// requested keys (null or empty = all); synonyms only with IncludeSynonyms, documentation only
// with IncludeDocumentation. Errors are per resource.
#include <charconv>

#include "broker/cluster/topic_name.h"
#include "broker/config/describe.h"
#include "broker/log/log.h"
#include "broker/protocol/generated/describe_configs_request.h"
#include "broker/protocol/generated/describe_configs_response.h"
#include "broker/server/broker.h"
#include "broker/server/handlers/alter_configs_common.h"
#include "broker/server/handlers/error_note.h"
#include "broker/server/handlers/handlers.h"
#include "broker/server/quorum_controller.h"
#include "broker/server/router.h"
#include "broker/server/shard.h"

namespace runnel::server::handlers {

namespace {

using Resource = protocol::DescribeConfigsRequest::DescribeConfigsResource;
using Result = protocol::DescribeConfigsResponse::DescribeConfigsResult;
using Entry = Result::DescribeConfigsResourceResult;

// Kafka's ConfigResource.Type ids.
constexpr int8_t kTopic = 2;
constexpr int8_t kBroker = 4;
constexpr int8_t kBrokerLogger = 8;
constexpr int8_t kClientMetrics = 16;
constexpr int8_t kGroup = 32;

std::string_view type_name(int8_t type) {
  switch (type) {
    case kTopic: return "TOPIC";
    case kBroker: return "BROKER";
    case kBrokerLogger: return "BROKER_LOGGER";
    case kClientMetrics: return "CLIENT_METRICS";
    case kGroup: return "GROUP";
    default: return "UNKNOWN";
  }
}

struct Options {
  bool synonyms = false;
  bool documentation = false;
};

bool wanted(const Resource& r, const std::string& name) {
  if (!r.configuration_keys || r.configuration_keys->empty()) return true;
  for (const auto& k : *r.configuration_keys) {
    if (k == name) return true;
  }
  return false;
}

Entry to_entry(const config::DescribedConfig& d, const Options& opt) {
  Entry e;
  e.name = d.name;
  e.value = d.value;
  e.read_only = d.read_only;
  e.is_default = d.source == config::ConfigSource::default_config;
  e.config_source = static_cast<int8_t>(d.source);
  e.is_sensitive = d.is_sensitive;
  e.config_type = static_cast<int8_t>(d.type);
  if (opt.documentation) {
    e.documentation = d.documentation;
  } else {
    e.documentation.reset();
  }
  if (opt.synonyms) {
    for (const config::ConfigSynonym& s : d.synonyms) {
      Entry::DescribeConfigsSynonym syn;
      syn.name = s.name;
      syn.value = s.value;
      syn.source = static_cast<int8_t>(s.source);
      e.synonyms.push_back(std::move(syn));
    }
  }
  return e;
}

void fail(Result& r, ErrorCode code, std::optional<std::string> message) {
  r.error_code = wire(code);
  r.error_message = std::move(message);
  r.configs.clear();
}

// A cluster's dynamic broker configs, from the metadata log: this broker's own and the
// cluster-wide defaults (empty on a single node).
struct DynamicBrokerConfigs {
  metadata::ConfigMap mine;
  metadata::ConfigMap cluster_default;
};

// A topic's values inherit from what this broker runs with: its dynamic configs over the
// cluster-wide defaults over its file (metadata/layered_config.h), as its effective config does.
void describe_topic(const Resource& res, Result& r, Shard& shard, const Options& opt, const DynamicBrokerConfigs& dyn) {
  if (auto valid = cluster::validate_topic_name(res.resource_name); !valid) {
    return fail(r, ErrorCode::invalid_topic_exception, valid.error());
  }
  const cluster::TopicInfo* t = shard.image()->topic(res.resource_name);
  if (t == nullptr) return fail(r, ErrorCode::unknown_topic_or_partition, std::nullopt);
  config::BrokerConfig layered = shard.broker().config();
  layered.layers.dynamic_broker = config::RawConfigs(dyn.mine.begin(), dyn.mine.end());
  layered.layers.dynamic_default = config::RawConfigs(dyn.cluster_default.begin(), dyn.cluster_default.end());
  for (const auto& d : config::describe_topic_configs(layered, t->overrides)) {
    if (wanted(res, d.name)) r.configs.push_back(to_entry(d, opt));
  }
}

io::Task<DynamicBrokerConfigs> dynamic_broker_configs(Shard& shard) {
  DynamicBrokerConfigs d;
  if (!shard.broker().quorum_configured()) co_return d;
  co_return co_await Router(shard).on_core(Router::kControllerCore, [](Shard& s) -> io::Task<DynamicBrokerConfigs> {
    DynamicBrokerConfigs out;
    if (QuorumController* qc = s.broker().quorum_controller()) {
      const metadata::ConfigsImage& configs = qc->image().configs();
      out.cluster_default = configs.cluster_default;
      if (auto it = configs.brokers.find(s.broker().config().node_id); it != configs.brokers.end()) out.mine = it->second;
    }
    co_return out;
  });
}

// Puts the dynamic values over the static description, highest precedence first, as Kafka's
// DynamicBrokerConfig does: this broker's value, then the cluster default, then the file.
void overlay_dynamic(config::DescribedConfig& d, const DynamicBrokerConfigs& dyn) {
  auto add = [&](const metadata::ConfigMap& m, config::ConfigSource source) {
    auto it = m.find(d.name);
    if (it == m.end()) return false;
    d.synonyms.insert(d.synonyms.begin(), config::ConfigSynonym{d.name, it->second, source});
    return true;
  };
  bool from_default = add(dyn.cluster_default, config::ConfigSource::dynamic_default_broker);
  bool from_broker = add(dyn.mine, config::ConfigSource::dynamic_broker);
  if (from_broker) {
    d.value = dyn.mine.find(d.name)->second;
    d.source = config::ConfigSource::dynamic_broker;
  } else if (from_default) {
    d.value = dyn.cluster_default.find(d.name)->second;
    d.source = config::ConfigSource::dynamic_default_broker;
  }
}

void describe_broker(const Resource& res, Result& r, Shard& shard, const Options& opt,
                     const DynamicBrokerConfigs& dyn) {
  const config::BrokerConfig& cfg = shard.broker().config();
  bool cluster_default = res.resource_name.empty();
  if (!cluster_default) {
    std::optional<NodeId> id = parse_node_id(res.resource_name);
    if (!id) return fail(r, ErrorCode::invalid_request, "Broker id must be an integer, but it is: " + res.resource_name);
    if (*id != cfg.node_id) {
      return fail(r, ErrorCode::invalid_request,
                  "Unexpected broker id, expected " + std::to_string(cfg.node_id.value()) +
                      " or empty string, but received " + res.resource_name);
    }
  }
  for (config::DescribedConfig& d : config::describe_broker_configs(cfg)) {
    if (!wanted(res, d.name)) continue;
    // The cluster-wide resource is the defaults alone, not this broker's own values.
    overlay_dynamic(d, cluster_default ? DynamicBrokerConfigs{{}, dyn.cluster_default} : dyn);
    if (cluster_default) {
      // The cluster-wide resource shows only what was set cluster-wide, with those synonyms.
      if (d.source != config::ConfigSource::dynamic_default_broker) continue;
      std::erase_if(d.synonyms, [](const config::ConfigSynonym& s) {
        return s.source != config::ConfigSource::dynamic_default_broker;
      });
    }
    r.configs.push_back(to_entry(d, opt));
  }
}

// Runnel has one logger, reported as Kafka's root logger with a log4j level name.
void describe_loggers(const Resource& res, Result& r, Shard& shard) {
  if (res.resource_name.empty()) return fail(r, ErrorCode::invalid_request, "Broker id must not be empty");
  std::optional<NodeId> id = parse_node_id(res.resource_name);
  if (!id) return fail(r, ErrorCode::invalid_request, "Broker id must be an integer, but it is: " + res.resource_name);
  const NodeId node = shard.broker().config().node_id;
  if (*id != node) {
    return fail(r, ErrorCode::invalid_request,
                "Unexpected broker id, expected " + std::to_string(node.value()) + " but received " + res.resource_name);
  }
  if (!wanted(res, "root")) return;
  Entry e;
  e.name = "root";
  switch (log::level()) {
    case log::Level::debug: e.value = "DEBUG"; break;
    case log::Level::info: e.value = "INFO"; break;
    case log::Level::warn: e.value = "WARN"; break;
    case log::Level::error: e.value = "ERROR"; break;
  }
  e.config_source = static_cast<int8_t>(config::ConfigSource::dynamic_broker_logger);
  e.documentation.reset();
  r.configs.push_back(std::move(e));
}

}  // namespace

io::Task<HandlerStatus> describe_configs(RequestContext& ctx, protocol::Reader& body, protocol::Writer& out) {
  protocol::DescribeConfigsRequest req;
  if (!req.decode(body, ctx.api_version)) co_return HandlerStatus::close;
  Options opt{req.include_synonyms, req.include_documentation};

  protocol::DescribeConfigsResponse resp;
  DynamicBrokerConfigs dyn;
  for (const Resource& res : req.resources) {
    if (res.resource_type == kBroker || res.resource_type == kTopic) {
      dyn = co_await dynamic_broker_configs(ctx.shard);
      break;
    }
  }
  for (const Resource& res : req.resources) {
    Result r;
    r.resource_type = res.resource_type;
    r.resource_name = res.resource_name;
    r.error_message.reset();
    switch (res.resource_type) {
      case kTopic:
        describe_topic(res, r, ctx.shard, opt, dyn);
        break;
      case kBroker:
        describe_broker(res, r, ctx.shard, opt, dyn);
        break;
      case kBrokerLogger:
        describe_loggers(res, r, ctx.shard);
        break;
      case kClientMetrics:
      case kGroup:
        // Kafka serves these; Runnel has no client-metrics subscriptions or group configs yet.
        fail(r, ErrorCode::invalid_request, "Unsupported resource type: " + std::string(type_name(res.resource_type)));
        break;
      default:
        fail(r, ErrorCode::invalid_request,
             "Unexpected resource type " + std::string(type_name(res.resource_type)) + " for resource " +
                 res.resource_name);
        break;
    }
    resp.results.push_back(std::move(r));
  }
  note_errors(ctx, resp.results);
  resp.encode(out, ctx.api_version);
  co_return HandlerStatus::respond;
}

}  // namespace runnel::server::handlers
