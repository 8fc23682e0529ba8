#include "broker/server/handlers/alter_configs_common.h"

#include <charconv>

#include "broker/cluster/topic_name.h"
#include "broker/server/broker.h"
#include "broker/server/cluster_errors.h"
#include "broker/server/router.h"
#include "broker/server/shard.h"

namespace runnel::server::handlers {

std::optional<NodeId> parse_node_id(const std::string& s) {
  std::string_view v = s;
  if (!v.empty() && v.front() == '+') v.remove_prefix(1);
  int32_t out = 0;
  auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), out);
  if (v.empty() || ec != std::errc{} || end != v.data() + v.size()) return std::nullopt;
  return NodeId(out);
}

AlterOutcome check_broker_resource(const std::string& name, Shard& shard) {
  if (name.empty()) return {};
  const NodeId node = shard.broker().config().node_id;
  std::optional<NodeId> id = parse_node_id(name);
  if (!id) return {ErrorCode::invalid_request, "Node id must be an integer, but it is: " + name};
  // In a cluster the request was forwarded to the active controller, which records configs for
  // any broker (Kafka's controller does not check that the broker exists either).
  if (shard.broker().quorum_configured()) return {};
  if (*id != node) {
    return {ErrorCode::invalid_request, "Unexpected broker id, expected " + std::to_string(node.value()) + ", but received " + name};
  }
  return {};
}

AlterOutcome broker_update_result(bool validate_only, bool empty) {
  if (validate_only || empty) return {};
  return {ErrorCode::invalid_request,
          "Runnel cannot change broker configs at runtime yet; set them in the broker's properties file and restart"};
}

io::Task<AlterOutcome> apply_broker_configs(Shard& shard, const std::string& name,
                                            std::vector<Controller::ConfigChange> changes, bool incremental,
                                            bool validate_only) {
  if (!shard.broker().quorum_configured()) co_return broker_update_result(validate_only, changes.empty());
  if (changes.empty()) co_return AlterOutcome{};
  Controller::TopicResult r = co_await Router(shard).on_controller(
      [&name, &changes, incremental, validate_only](Controller& controller) -> io::Task<Controller::TopicResult> {
        co_return co_await controller.alter_broker_configs(name, std::move(changes), incremental, validate_only);
      });
  if (!r) co_return AlterOutcome{to_kafka(r.error()), r.error().message};
  co_return AlterOutcome{};
}

io::Task<AlterOutcome> alter_topic_configs(Shard& shard, const std::string& topic,
                                           std::vector<Controller::ConfigChange> changes, bool incremental,
                                           bool validate_only) {
  if (topic.empty()) co_return AlterOutcome{ErrorCode::invalid_request, "Default topic resources are not allowed."};
  if (auto valid = cluster::validate_topic_name(topic); !valid) {
    co_return AlterOutcome{ErrorCode::invalid_topic_exception, valid.error()};
  }
  Controller::TopicResult r = co_await Router(shard).on_controller(
      [&topic, &changes, incremental, validate_only](Controller& controller) -> io::Task<Controller::TopicResult> {
        co_return co_await controller.alter_topic_configs(topic, std::move(changes), incremental, validate_only);
      });
  if (!r) co_return AlterOutcome{to_kafka(r.error()), r.error().message};
  co_return AlterOutcome{};
}

}  // namespace runnel::server::handlers
