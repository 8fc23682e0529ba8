// CreateTopics (API 19). Names, counts, assignments and configs are checked by the controller
// (Kafka's ReplicationControlManager rules and messages); this handler adds what Kafka's
// ControllerApis does around it: duplicate names, the reserved metadata topic, null config
// values, and the v5+ description of the created topic (counts and effective configs).
#include <map>
#include <set>

#include "broker/cluster/topic_name.h"
#include "broker/config/describe.h"
#include "broker/model/assert.h"
#include "broker/protocol/generated/create_topics_request.h"
#include "broker/protocol/generated/create_topics_response.h"
#include "broker/server/broker.h"
#include "broker/server/cluster_errors.h"
#include "broker/server/controller.h"
#include "broker/server/router.h"
#include "broker/server/handlers/error_note.h"
#include "broker/server/handlers/forward.h"
#include "broker/server/handlers/handlers.h"
#include "broker/server/shard.h"

namespace runnel::server::handlers {

namespace {

using Request = protocol::CreateTopicsRequest;
using Result = protocol::CreateTopicsResponse::CreatableTopicResult;

constexpr std::string_view kMetadataTopic = "__cluster_metadata";

Result error_result(const std::string& name, ErrorCode code, const std::string& message) {
  Result r;
  r.name = name;
  r.error_code = wire(code);
  r.error_message = message.empty() ? std::nullopt : std::optional<std::string>(message);
  return r;
}

// Kafka checks null config values (INVALID_CONFIG) after the name and existence checks, so a
// request for an existing topic still reports TOPIC_ALREADY_EXISTS.
std::string null_configs(const Request::CreatableTopic& t, const cluster::MetadataImage& image) {
  if (!cluster::validate_topic_name(t.name).has_value() || image.topic(t.name) != nullptr) return {};
  std::string names;
  for (const auto& c : t.configs) {
    if (!c.value) names += (names.empty() ? "" : ",") + c.name;
  }
  return names;
}

// Orders the request's assignments by partition index, as Kafka requires them to be the
// consecutive indexes 0..n-1 without repeats; Kafka's message when they are not.
runnel::Result<std::vector<std::vector<int32_t>>, std::string> assignment_by_partition(
    const Request::CreatableTopic& t) {
  std::map<int32_t, std::vector<int32_t>> by_index;
  for (const auto& a : t.assignments) {
    if (!by_index.emplace(a.partition_index, a.broker_ids).second) {
      return Unexpected("Found multiple manual partition assignments for partition " +
                        std::to_string(a.partition_index));
    }
  }
  std::vector<std::vector<int32_t>> out;
  int32_t expected = 0;
  for (auto& [index, replicas] : by_index) {
    if (index != expected++) return Unexpected("partitions should be a consecutive 0-based integer sequence");
    out.push_back(std::move(replicas));
  }
  return out;
}

void describe_created(Result& r, const config::BrokerConfig& broker, const config::RawConfigs& overrides) {
  r.configs.emplace();
  for (const config::DescribedConfig& d : config::describe_topic_configs(broker, overrides)) {
    protocol::CreateTopicsResponse::CreatableTopicResult::CreatableTopicConfigs c;
    c.name = d.name;
    c.value = d.is_sensitive ? std::nullopt : d.value;
    c.read_only = d.read_only;
    c.config_source = static_cast<int8_t>(d.source);
    c.is_sensitive = d.is_sensitive;
    r.configs->push_back(std::move(c));
  }
}

}  // namespace

io::Task<HandlerStatus> create_topics(RequestContext& ctx, protocol::Reader& body, protocol::Writer& out) {
  if (auto forwarded = co_await forward_to_controller(ctx, body, out)) co_return *forwarded;
  Request req;
  if (!req.decode(body, ctx.api_version)) co_return HandlerStatus::close;
  Shard& shard = ctx.shard;
  Broker& broker = shard.broker();
  cluster::ImagePtr image = shard.image();

  std::map<std::string, int> occurrences;
  for (const auto& t : req.topics) ++occurrences[t.name];

  // One result per distinct name, in request order; those still empty go to the controller.
  std::vector<Result> results;
  std::vector<Controller::NewTopic> to_create;
  std::vector<size_t> slot_of;  // to_create[i] answers results[slot_of[i]]
  std::vector<config::RawConfigs> configs_of;
  std::set<std::string> seen;
  for (const auto& t : req.topics) {
    if (!seen.insert(t.name).second) continue;
    if (occurrences[t.name] > 1) {
      results.push_back(error_result(t.name, ErrorCode::invalid_request, "Duplicate topic name."));
      continue;
    }
    if (t.name == kMetadataTopic) {
      results.push_back(error_result(t.name, ErrorCode::invalid_request,
                                     "Creation of internal topic " + std::string(kMetadataTopic) + " is prohibited."));
      continue;
    }
    if (std::string nulls = null_configs(t, *image); !nulls.empty()) {
      results.push_back(
          error_result(t.name, ErrorCode::invalid_config, "Null value not supported for topic configs: " + nulls));
      continue;
    }
    Controller::NewTopic nt;
    nt.name = t.name;
    nt.partitions = t.num_partitions;
    nt.replication_factor = t.replication_factor;
    for (const auto& c : t.configs) {
      if (c.value) nt.configs[c.name] = *c.value;
    }
    if (!t.assignments.empty()) {
      if (t.num_partitions == -1 && t.replication_factor == -1) {
        auto assignment = assignment_by_partition(t);
        if (!assignment) {
          results.push_back(error_result(t.name, ErrorCode::invalid_replica_assignment, assignment.error()));
          continue;
        }
        nt.assignment = std::move(assignment).value();
      } else {
        // The controller rejects the combination; the order of replicas is irrelevant then.
        for (const auto& a : t.assignments) nt.assignment.push_back(a.broker_ids);
      }
    }
    results.emplace_back().name = t.name;
    slot_of.push_back(results.size() - 1);
    configs_of.push_back(nt.configs);
    to_create.push_back(std::move(nt));
  }

  std::vector<Controller::TopicResult> created;
  if (!to_create.empty()) {
    bool validate_only = req.validate_only;
    created = co_await Router(shard).on_controller(
        [&to_create, validate_only](Controller& controller) -> io::Task<std::vector<Controller::TopicResult>> {
          co_return co_await controller.create_topics(std::move(to_create), validate_only);
        });
  }
  RUNNEL_ASSERT(created.size() == slot_of.size(), "controller answered %zu of %zu topics", created.size(), slot_of.size());
  for (size_t i = 0; i < created.size(); ++i) {
    const Controller::TopicResult& c = created[i];
    Result& r = results[slot_of[i]];
    if (!c) {
      r = error_result(r.name, to_kafka(c.error()), c.error().message);
      continue;
    }
    r.error_message.reset();
    r.topic_id = c->topic_id;
    r.num_partitions = c->partitions;
    r.replication_factor = c->replication_factor;
    describe_created(r, broker.config(), configs_of[i]);
  }

  protocol::CreateTopicsResponse resp;
  resp.topics = std::move(results);
  note_errors(ctx, resp.topics);
  resp.encode(out, ctx.api_version);
  co_return HandlerStatus::respond;
}

}  // namespace runnel::server::handlers
