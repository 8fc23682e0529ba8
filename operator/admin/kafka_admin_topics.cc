// KafkaAdminClient's topic operations: Metadata, CreateTopics, CreatePartitions, DeleteTopics.
#include "broker/protocol/generated/create_partitions_request.h"
#include "broker/protocol/generated/create_partitions_response.h"
#include "broker/protocol/generated/create_topics_request.h"
#include "broker/protocol/generated/create_topics_response.h"
#include "broker/protocol/generated/delete_topics_request.h"
#include "broker/protocol/generated/delete_topics_response.h"
#include "broker/protocol/generated/metadata_request.h"
#include "broker/protocol/generated/metadata_response.h"
#include "operator/admin/kafka_admin_client.h"

namespace runnel::operator_admin {
namespace {

AdminError topic_error(int16_t code, const std::optional<std::string>& message, const std::string& topic) {
  std::string text = message.value_or("");
  if (text.empty()) text = "topic '" + topic + "'";
  return AdminError::kafka(static_cast<ErrorCode>(code), std::move(text));
}

int32_t timeout_ms(std::chrono::milliseconds t) { return static_cast<int32_t>(t.count()); }

}  // namespace

Outcome<std::vector<TopicDescription>> KafkaAdminClient::metadata(
    const std::optional<std::vector<std::string>>& names) {
  protocol::MetadataRequest request;
  if (names) {
    request.topics.emplace();
    for (const auto& n : *names) {
      protocol::MetadataRequest::MetadataRequestTopic t;
      t.name = n;
      request.topics->push_back(std::move(t));
    }
  } else {
    request.topics = std::nullopt;  // null = every topic (v1+)
  }
  // Describing a topic must never create it (Metadata v4+ honours this flag).
  request.allow_auto_topic_creation = false;
  return with_connection(Target::any, [&](KafkaConnection& c) -> Outcome<std::vector<TopicDescription>> {
    auto response = c.call<protocol::MetadataResponse>(request);
    if (!response.ok()) return response.error();
    std::vector<TopicDescription> out;
    for (const auto& t : response.value().topics) {
      TopicDescription d;
      d.name = t.name.value_or("");
      d.error = static_cast<ErrorCode>(t.error_code);
      d.topic_id = t.topic_id;
      d.partitions = static_cast<int32_t>(t.partitions.size());
      d.internal = t.is_internal;
      for (const auto& p : t.partitions) {
        if (p.partition_index == 0) d.replication_factor = static_cast<int16_t>(p.replica_nodes.size());
      }
      out.push_back(std::move(d));
    }
    return out;
  });
}

Outcome<std::vector<TopicDescription>> KafkaAdminClient::describe_topics(
    const std::vector<std::string>& names) {
  if (names.empty()) return std::vector<TopicDescription>{};
  return metadata(names);
}

Outcome<std::vector<TopicDescription>> KafkaAdminClient::list_topics() { return metadata(std::nullopt); }

Outcome<TopicDescription> KafkaAdminClient::create_topic(
    const std::string& name, int32_t partitions, int16_t replication_factor,
    const std::map<std::string, std::string>& configs) {
  protocol::CreateTopicsRequest request;
  request.timeout_ms = timeout_ms(options_.timeout);
  protocol::CreateTopicsRequest::CreatableTopic topic;
  topic.name = name;
  topic.num_partitions = partitions;
  topic.replication_factor = replication_factor;
  for (const auto& [key, value] : configs) {
    protocol::CreateTopicsRequest::CreatableTopic::CreatableTopicConfig c;
    c.name = key;
    c.value = value;
    topic.configs.push_back(std::move(c));
  }
  request.topics.push_back(std::move(topic));
  return with_connection(Target::controller, [&](KafkaConnection& c) -> Outcome<TopicDescription> {
    auto response = c.call<protocol::CreateTopicsResponse>(request);
    if (!response.ok()) return response.error();
    for (const auto& t : response.value().topics) {
      if (t.name != name) continue;
      if (t.error_code != 0) return topic_error(t.error_code, t.error_message, name);
      TopicDescription d;
      d.name = name;
      d.topic_id = t.topic_id;
      d.partitions = t.num_partitions >= 0 ? t.num_partitions : partitions;
      d.replication_factor = t.replication_factor >= 0 ? t.replication_factor : replication_factor;
      return d;
    }
    return AdminError::protocol("CreateTopics answer from " + c.address() + " omits '" + name + "'");
  });
}

Status KafkaAdminClient::create_partitions(const std::string& name, int32_t total) {
  protocol::CreatePartitionsRequest request;
  request.timeout_ms = timeout_ms(options_.timeout);
  protocol::CreatePartitionsRequest::CreatePartitionsTopic topic;
  topic.name = name;
  topic.count = total;
  topic.assignments = std::nullopt;  // let the controller place the new partitions
  request.topics.push_back(std::move(topic));
  return with_connection(Target::controller, [&](KafkaConnection& c) -> Status {
    auto response = c.call<protocol::CreatePartitionsResponse>(request);
    if (!response.ok()) return response.error();
    for (const auto& r : response.value().results) {
      if (r.name != name) continue;
      if (r.error_code != 0) return topic_error(r.error_code, r.error_message, name);
      return Done{};
    }
    return AdminError::protocol("CreatePartitions answer from " + c.address() + " omits '" + name + "'");
  });
}

Outcome<std::vector<TopicResult>> KafkaAdminClient::delete_topics(const std::vector<std::string>& names) {
  if (names.empty()) return std::vector<TopicResult>{};
  return with_connection(Target::controller, [&](KafkaConnection& c) -> Outcome<std::vector<TopicResult>> {
    const int16_t v = c.version_for(protocol::DeleteTopicsRequest::kApiKey,
                                    protocol::DeleteTopicsRequest::kMinVersion,
                                    protocol::DeleteTopicsRequest::kMaxVersion);
    if (v < 0) return AdminError::kafka(ErrorCode::unsupported_version, c.address() + " cannot delete topics");
    protocol::DeleteTopicsRequest request;
    request.timeout_ms = timeout_ms(options_.timeout);
    for (const auto& n : names) {
      if (v >= 6) {
        protocol::DeleteTopicsRequest::DeleteTopicState s;
        s.name = n;
        request.topics.push_back(std::move(s));
      } else {
        request.topic_names.push_back(n);
      }
    }
    auto response = c.call<protocol::DeleteTopicsResponse>(request, v);
    if (!response.ok()) return response.error();
    std::vector<TopicResult> out;
    for (const auto& r : response.value().responses) {
      TopicResult t;
      t.name = r.name.value_or("");
      t.error = static_cast<ErrorCode>(r.error_code);
      t.message = r.error_message.value_or("");
      out.push_back(std::move(t));
    }
    return out;
  });
}

}  // namespace runnel::operator_admin
