// AlterConfigs (API 33), the legacy form: the configs given become the resource's whole set of
// overrides. Request checks and messages follow Kafka's ConfigAdminManager.preprocess; topic
// changes go through the controller (validated like CreateTopics, persisted, published).
//
// BROKER resources are validated as Kafka does (read-only, per-broker vs cluster-wide, value
// checks), and validate_only succeeds; but Runnel cannot apply broker configs at runtime yet,
// so a real change is refused with INVALID_REQUEST and a message saying so.
#include <set>

#include "broker/cluster/topic_name.h"
#include "broker/config/describe.h"
#include "broker/protocol/generated/alter_configs_request.h"
#include "broker/protocol/generated/alter_configs_response.h"
#include "broker/server/broker.h"
#include "broker/server/config_errors.h"
#include "broker/server/controller.h"
#include "broker/server/handlers/alter_configs_common.h"
#include "broker/server/handlers/error_note.h"
#include "broker/server/handlers/forward.h"
#include "broker/server/handlers/handlers.h"
#include "broker/server/shard.h"

namespace runnel::server::handlers {

namespace {

using Resource = protocol::AlterConfigsRequest::AlterConfigsResource;
constexpr int8_t kTopic = 2;
constexpr int8_t kBroker = 4;

using Outcome = AlterOutcome;

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

io::Task<Outcome> alter_broker(const Resource& res, Shard& shard, bool validate_only) {
  bool cluster_default = res.resource_name.empty();
  if (Outcome o = check_broker_resource(res.resource_name, shard); o.error != ErrorCode::none) co_return o;
  std::vector<Controller::ConfigChange> changes;
  for (const auto& c : res.configs) {
    config::Validation valid = config::validate_broker_config_update(c.name, *c.value, cluster_default);
    if (!valid) co_return Outcome{to_kafka(valid.error().code), valid.error().message};
    changes.push_back({c.name, Controller::ConfigChange::Op::set, *c.value});
  }
  // Legacy AlterConfigs replaces the resource's whole set of configs.
  co_return co_await apply_broker_configs(shard, res.resource_name, std::move(changes), false, validate_only);
}

io::Task<Outcome> alter_topic(const Resource& res, Shard& shard, bool validate_only) {
  std::vector<Controller::ConfigChange> changes;
  for (const auto& c : res.configs) changes.push_back({c.name, Controller::ConfigChange::Op::set, *c.value});
  co_return co_await alter_topic_configs(shard, res.resource_name, std::move(changes), false, validate_only);
}

}  // namespace

io::Task<HandlerStatus> alter_configs(RequestContext& ctx, protocol::Reader& body, protocol::Writer& out) {
  if (auto forwarded = co_await forward_to_controller(ctx, body, out)) co_return *forwarded;
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
        o = co_await alter_broker(res, ctx.shard, req.validate_only);
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
