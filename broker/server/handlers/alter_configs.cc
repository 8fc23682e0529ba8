// AlterConfigs (API 33), the legacy form: the configs given become the resource's whole set of
// overrides. Request checks and messages follow Kafka's ConfigAdminManager.preprocess; topic
// changes go through the controller (validated like CreateTopics, persisted, published).
//
// BROKER resources are validated as Kafka does (read-only, per-broker vs cluster-wide, value
// checks), and validate_only succeeds; but Runnel cannot apply broker configs at runtime yet,
// so a real change is refused with INVALID_REQUEST and a message saying so.
#include <charconv>
#include <set>

#include "broker/cluster/topic_name.h"
#include "broker/config/describe.h"
#include "broker/protocol/generated/alter_configs_request.h"
#include "broker/protocol/generated/alter_configs_response.h"
#include "broker/server/broker.h"
#include "broker/server/controller.h"
#include "broker/server/cross_call.h"
#include "broker/server/handlers/error_note.h"
#include "broker/server/handlers/handlers.h"
#include "broker/server/shard.h"

namespace runnel::server::handlers {

namespace {

using Resource = protocol::AlterConfigsRequest::AlterConfigsResource;
constexpr int8_t kTopic = 2;
constexpr int8_t kBroker = 4;

struct Outcome {
  ErrorCode error = ErrorCode::none;
  std::string message;
};

// Java's Integer.parseInt: optional sign, decimal digits, int range.
std::optional<int32_t> parse_node_id(const std::string& s) {
  std::string_view v = s;
  if (!v.empty() && v.front() == '+') v.remove_prefix(1);
  int32_t out = 0;
  auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), out);
  if (v.empty() || ec != std::errc{} || end != v.data() + v.size()) return std::nullopt;
  return out;
}

Outcome check_request(const Resource& res) {
  std::set<std::string> keys;
  std::string nulls;
  for (const auto& c : res.configs) {
    if (!keys.insert(c.name).second) return {ErrorCode::invalid_request, "Error due to duplicate config keys"};
    if (!c.value) nulls += (nulls.empty() ? "" : ", ") + c.name;
  }
  if (!nulls.empty()) return {ErrorCode::invalid_request, "Null value not supported for : " + nulls};
  return {};
}

Outcome alter_broker(const Resource& res, Shard& shard, bool validate_only) {
  bool cluster_default = res.resource_name.empty();
  int32_t node = shard.broker().config().node_id;
  if (!cluster_default) {
    std::optional<int32_t> id = parse_node_id(res.resource_name);
    if (!id) return {ErrorCode::invalid_request, "Node id must be an integer, but it is: " + res.resource_name};
    if (*id != node) {
      return {ErrorCode::invalid_request,
              "Unexpected broker id, expected " + std::to_string(node) + ", but received " + res.resource_name};
    }
  }
  for (const auto& c : res.configs) {
    config::ConfigError err = config::validate_broker_config_update(c.name, *c.value, cluster_default);
    if (!err.ok()) return {err.code, err.message};
  }
  if (validate_only || res.configs.empty()) return {};
  return {ErrorCode::invalid_request,
          "Runnel cannot change broker configs at runtime yet; set them in the broker's properties file and restart"};
}

io::Task<Outcome> alter_topic(const Resource& res, Shard& shard, bool validate_only) {
  if (res.resource_name.empty()) co_return Outcome{ErrorCode::invalid_request, "Default topic resources are not allowed."};
  if (std::string why = cluster::validate_topic_name(res.resource_name); !why.empty()) {
    co_return Outcome{ErrorCode::invalid_topic_exception, why};
  }
  std::vector<Controller::ConfigChange> changes;
  for (const auto& c : res.configs) changes.push_back({c.name, Controller::ConfigChange::Op::set, *c.value});
  Broker& broker = shard.broker();
  Controller& controller = broker.controller();
  std::string topic = res.resource_name;
  auto call = [&controller, &topic, &changes, validate_only]() -> io::Task<Controller::TopicResult> {
    co_return co_await controller.alter_topic_configs(topic, std::move(changes), false, validate_only);
  };
  Controller::TopicResult r = co_await on(shard.ring(), broker.shard(0).ring(), call);
  co_return Outcome{r.error, r.message};
}

}  // namespace

io::Task<HandlerStatus> alter_configs(RequestContext& ctx, protocol::Reader& body, protocol::Writer& out) {
  protocol::AlterConfigsRequest req;
  if (!req.decode(body, ctx.api_version)) co_return HandlerStatus::close;

  std::multiset<std::pair<int8_t, std::string>> seen;
  for (const auto& res : req.resources) seen.emplace(res.resource_type, res.resource_name);

  protocol::AlterConfigsResponse resp;
  for (const Resource& res : req.resources) {
    Outcome o;
    if (seen.count({res.resource_type, res.resource_name}) > 1) {
      o = {ErrorCode::invalid_request, "Each resource must appear at most once."};
    } else if (o = check_request(res); o.error == ErrorCode::none) {
      if (res.resource_type == kBroker) {
        o = alter_broker(res, ctx.shard, req.validate_only);
      } else if (res.resource_type == kTopic) {
        o = co_await alter_topic(res, ctx.shard, req.validate_only);
      } else {
        // Legacy AlterConfigs has no BROKER_LOGGER; Runnel has no group or client-metrics configs.
        o = {ErrorCode::invalid_request, "Unknown resource type " + std::to_string(res.resource_type)};
      }
    }
    protocol::AlterConfigsResponse::AlterConfigsResourceResponse r;
    r.resource_type = res.resource_type;
    r.resource_name = res.resource_name;
    r.error_code = wire(o.error);
    if (o.message.empty()) {
      r.error_message.reset();
    } else {
      r.error_message = o.message;
    }
    resp.responses.push_back(std::move(r));
  }
  note_errors(ctx, resp.responses);
  resp.encode(out, ctx.api_version);
  co_return HandlerStatus::respond;
}

}  // namespace runnel::server::handlers
