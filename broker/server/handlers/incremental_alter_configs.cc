// IncrementalAlterConfigs (API 44): SET, DELETE, APPEND and SUBTRACT (on LIST configs) per
// config. Request checks and messages follow Kafka's ConfigAdminManager.preprocess; TOPIC
// changes are applied by the controller, BROKER_LOGGER changes set Runnel's log level (its one
// logger is reported as log4j's "root").
//
// BROKER resources are validated as Kafka does and validate_only succeeds, but Runnel cannot
// apply broker configs at runtime yet: a real change is refused with INVALID_REQUEST.
#include <set>

#include "broker/cluster/topic_name.h"
#include "broker/config/broker_config_defs.h"
#include "broker/config/describe.h"
#include "broker/log/log.h"
#include "broker/protocol/generated/incremental_alter_configs_request.h"
#include "broker/protocol/generated/incremental_alter_configs_response.h"
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

using Resource = protocol::IncrementalAlterConfigsRequest::AlterConfigsResource;
using Op = Controller::ConfigChange::Op;
constexpr int8_t kTopic = 2;
constexpr int8_t kBroker = 4;
constexpr int8_t kBrokerLogger = 8;

using Outcome = AlterOutcome;

bool valid_op(int8_t op) { return op >= 0 && op <= 3; }

std::string_view op_name(int8_t op) {
  switch (op) {
    case 0: return "SET";
    case 1: return "DELETE";
    case 2: return "APPEND";
    default: return "SUBTRACT";
  }
}

Outcome check_request(const Resource& res) {
  std::set<std::string> keys;
  std::string nulls;
  for (const auto& c : res.configs) {
    if (!keys.insert(c.name).second) return {ErrorCode::invalid_request, "Error due to duplicate config keys"};
    if (c.config_operation != static_cast<int8_t>(Op::remove) && !c.value) {
      nulls += (nulls.empty() ? "" : ", ") + c.name;
    }
  }
  if (!nulls.empty()) return {ErrorCode::invalid_request, "Null value not supported for : " + nulls};
  return {};
}

// Kafka's log4j levels mapped onto Runnel's four.
std::optional<log::Level> parse_level(const std::string& v) {
  if (v == "TRACE" || v == "DEBUG") return log::Level::debug;
  if (v == "INFO") return log::Level::info;
  if (v == "WARN") return log::Level::warn;
  if (v == "ERROR" || v == "FATAL") return log::Level::error;
  return std::nullopt;
}

Outcome alter_logger(const Resource& res, Shard& shard, bool validate_only) {
  const NodeId node = shard.broker().config().node_id;
  std::optional<NodeId> id = parse_node_id(res.resource_name);
  if (!id) return {ErrorCode::invalid_request, "Node id must be an integer, but it is: " + res.resource_name};
  if (*id != node) {
    // Kafka's RuntimeLoggerManager prints its own id twice in this message.
    return {ErrorCode::invalid_request,
            "Unexpected node id. Expected " + std::to_string(node.value()) + ", but received " +
                std::to_string(node.value())};
  }
  std::optional<log::Level> level;
  for (const auto& c : res.configs) {
    if (c.config_operation == static_cast<int8_t>(Op::append) || c.config_operation == static_cast<int8_t>(Op::subtract)) {
      return {ErrorCode::invalid_request,
              std::string(op_name(c.config_operation)) + " operation is not allowed for the BROKER_LOGGER resource"};
    }
    if (!valid_op(c.config_operation)) {
      return {ErrorCode::invalid_request, "Unknown operation type " + std::to_string(c.config_operation) +
                                              " is not allowed for the BROKER_LOGGER resource"};
    }
    if (c.name != "root") return {ErrorCode::invalid_config, "Logger " + c.name + " does not exist!"};
    if (c.config_operation == static_cast<int8_t>(Op::remove)) {
      return {ErrorCode::invalid_request, "Removing the log level of the root logger is not allowed"};
    }
    level = parse_level(*c.value);
    if (!level) {
      return {ErrorCode::invalid_config, "Cannot set the log level of " + c.name + " to " + *c.value +
                                             " as it is not a supported log level. Valid log levels are "
                                             "FATAL, ERROR, WARN, INFO, DEBUG, TRACE"};
    }
  }
  if (!validate_only && level) log::set_level(*level);
  return {};
}

Outcome check_broker_changes(const Resource& res, Shard& shard);

io::Task<Outcome> alter_broker(const Resource& res, Shard& shard, bool validate_only) {
  if (Outcome o = check_broker_changes(res, shard); o.error != ErrorCode::none) co_return o;
  std::vector<Controller::ConfigChange> changes;
  for (const auto& c : res.configs) {
    changes.push_back({c.name, static_cast<Op>(c.config_operation), c.value.value_or("")});
  }
  co_return co_await apply_broker_configs(shard, res.resource_name, std::move(changes), true, validate_only);
}

Outcome check_broker_changes(const Resource& res, Shard& shard) {
  bool cluster_default = res.resource_name.empty();
  if (Outcome o = check_broker_resource(res.resource_name, shard); o.error != ErrorCode::none) return o;
  for (const auto& c : res.configs) {
    if (!valid_op(c.config_operation)) {
      return {ErrorCode::invalid_request, "Unknown operations type " + std::to_string(c.config_operation)};
    }
  }
  for (const auto& c : res.configs) {
    Op op = static_cast<Op>(c.config_operation);
    if (op == Op::remove) continue;
    if (op == Op::append || op == Op::subtract) {
      const config::ConfigDef* def = config::find_broker_config_def(c.name);
      if (def == nullptr || def->type != config::ConfigType::list) {
        return {ErrorCode::invalid_config, "Config value " + std::string(op == Op::append ? "append" : "subtract") +
                                               " is not allowed for config key: " + c.name};
      }
    }
    config::Validation valid = config::validate_broker_config_update(c.name, *c.value, cluster_default);
    if (!valid) return {to_kafka(valid.error().code), valid.error().message};
  }
  return {};
}

io::Task<Outcome> alter_topic(const Resource& res, Shard& shard, bool validate_only) {
  for (const auto& c : res.configs) {
    if (!valid_op(c.config_operation)) {
      co_return Outcome{ErrorCode::invalid_request, "Unknown operations type " + std::to_string(c.config_operation)};
    }
  }
  std::vector<Controller::ConfigChange> changes;
  for (const auto& c : res.configs) {
    changes.push_back({c.name, static_cast<Op>(c.config_operation), c.value.value_or("")});
  }
  co_return co_await alter_topic_configs(shard, res.resource_name, std::move(changes), true, validate_only);
}

}  // namespace

io::Task<HandlerStatus> incremental_alter_configs(RequestContext& ctx, protocol::Reader& body, protocol::Writer& out) {
  if (auto forwarded = co_await forward_to_controller(ctx, body, out)) co_return *forwarded;
  protocol::IncrementalAlterConfigsRequest req;
  if (!req.decode(body, ctx.api_version)) co_return HandlerStatus::close;

  std::multiset<std::pair<int8_t, std::string>> seen;
  for (const auto& res : req.resources) seen.emplace(res.resource_type, res.resource_name);

  protocol::IncrementalAlterConfigsResponse resp;
  for (const Resource& res : req.resources) {
    Outcome o;
    if (seen.count({res.resource_type, res.resource_name}) > 1) {
      o = {ErrorCode::invalid_request, "Each resource must appear at most once."};
    } else if (o = check_request(res); o.error == ErrorCode::none) {
      switch (res.resource_type) {
        case kTopic:
          o = co_await alter_topic(res, ctx.shard, req.validate_only);
          break;
        case kBroker:
          o = co_await alter_broker(res, ctx.shard, req.validate_only);
          break;
        case kBrokerLogger:
          o = alter_logger(res, ctx.shard, req.validate_only);
          break;
        default:
          // Runnel has no group or client-metrics configs yet.
          o = {ErrorCode::invalid_request, "Unknown resource type " + std::to_string(res.resource_type)};
          break;
      }
    }
    protocol::IncrementalAlterConfigsResponse::AlterConfigsResourceResponse r;
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
