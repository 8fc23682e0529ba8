// KafkaAdminClient's topic config operations: DescribeConfigs and IncrementalAlterConfigs.
#include "broker/protocol/generated/describe_configs_request.h"
#include "broker/protocol/generated/describe_configs_response.h"
#include "broker/protocol/generated/incremental_alter_configs_request.h"
#include "broker/protocol/generated/incremental_alter_configs_response.h"
#include "operator/admin/kafka_admin_client.h"

namespace runnel::operator_admin {
namespace {

constexpr int8_t kTopicResource = 2;  // Kafka's ConfigResource.Type.TOPIC

AdminError resource_error(int16_t code, const std::optional<std::string>& message, const std::string& topic) {
  std::string text = message.value_or("");
  if (text.empty()) text = "topic '" + topic + "'";
  return AdminError::kafka(static_cast<ErrorCode>(code), std::move(text));
}

}  // namespace

Outcome<std::vector<ConfigEntry>> KafkaAdminClient::describe_configs(const std::string& topic) {
  protocol::DescribeConfigsRequest request;
  protocol::DescribeConfigsRequest::DescribeConfigsResource resource;
  resource.resource_type = kTopicResource;
  resource.resource_name = topic;
  resource.configuration_keys = std::nullopt;  // null = every key
  request.resources.push_back(std::move(resource));
  return with_connection(Target::any, [&](KafkaConnection& c) -> Outcome<std::vector<ConfigEntry>> {
    const int16_t v = c.version_for(protocol::DescribeConfigsRequest::kApiKey,
                                    protocol::DescribeConfigsRequest::kMinVersion,
                                    protocol::DescribeConfigsRequest::kMaxVersion);
    if (v < 0) return AdminError::kafka(ErrorCode::unsupported_version, c.address() + " cannot describe configs");
    auto response = c.call<protocol::DescribeConfigsResponse>(request, v);
    if (!response.ok()) return response.error();
    for (const auto& r : response.value().results) {
      if (r.resource_name != topic) continue;
      if (r.error_code != 0) return resource_error(r.error_code, r.error_message, topic);
      std::vector<ConfigEntry> out;
      for (const auto& e : r.configs) {
        ConfigEntry entry;
        entry.name = e.name;
        entry.value = e.value;
        entry.read_only = e.read_only;
        entry.sensitive = e.is_sensitive;
        if (v >= 1) {
          entry.source = static_cast<ConfigSource>(e.config_source);
        } else {
          // v0 only says default or not; a non-default topic value is a topic override.
          entry.source = e.is_default ? ConfigSource::default_config : ConfigSource::dynamic_topic;
        }
        out.push_back(std::move(entry));
      }
      return out;
    }
    return AdminError::protocol("DescribeConfigs answer from " + c.address() + " omits '" + topic + "'");
  });
}

Status KafkaAdminClient::incremental_alter_configs(const std::string& topic,
                                                   const std::vector<ConfigAlteration>& ops) {
  if (ops.empty()) return Done{};
  protocol::IncrementalAlterConfigsRequest request;
  protocol::IncrementalAlterConfigsRequest::AlterConfigsResource resource;
  resource.resource_type = kTopicResource;
  resource.resource_name = topic;
  for (const auto& op : ops) {
    protocol::IncrementalAlterConfigsRequest::AlterConfigsResource::AlterableConfig c;
    c.name = op.name;
    c.config_operation = static_cast<int8_t>(op.op);
    c.value = op.op == AlterOp::remove ? std::nullopt : op.value;
    resource.configs.push_back(std::move(c));
  }
  request.resources.push_back(std::move(resource));
  return with_connection(Target::controller, [&](KafkaConnection& c) -> Status {
    auto response = c.call<protocol::IncrementalAlterConfigsResponse>(request);
    if (!response.ok()) return response.error();
    for (const auto& r : response.value().responses) {
      if (r.resource_name != topic) continue;
      if (r.error_code != 0) return resource_error(r.error_code, r.error_message, topic);
      return Done{};
    }
    return AdminError::protocol("IncrementalAlterConfigs answer from " + c.address() + " omits '" + topic + "'");
  });
}

}  // namespace runnel::operator_admin
