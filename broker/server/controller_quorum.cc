// Controller, on a node of a metadata quorum (controller.h: set_quorum): topic changes and
// producer ids go through the QuorumController when this node is the active controller. On
// another node the admin handlers have already forwarded their request to the active
// controller (handlers/forward.h); what still arrives here is the broker's own need to create a
// topic (auto-creation, __consumer_offsets), which is sent on as a CreateTopics request, as a
// Kafka broker sends it to the controller. Anything else is NOT_CONTROLLER, which clients retry.
#include "broker/log/log.h"
#include "broker/protocol/generated/allocate_producer_ids_request.h"
#include "broker/protocol/generated/allocate_producer_ids_response.h"
#include "broker/protocol/generated/create_topics_request.h"
#include "broker/protocol/generated/create_topics_response.h"
#include "broker/quorum/quorum_driver.h"
#include "broker/server/broker.h"
#include "broker/server/controller.h"
#include "broker/server/quorum_controller.h"

namespace runnel::server {

namespace {

constexpr auto kForwardTimeout = std::chrono::seconds(30);
constexpr int16_t kCreateTopicsVersion = 7;

cluster::Error to_error(ErrorCode code, std::string message) {
  switch (code) {
    case ErrorCode::topic_already_exists: return {cluster::Errc::topic_exists, std::move(message)};
    case ErrorCode::not_controller: return {cluster::Errc::not_controller, std::move(message)};
    case ErrorCode::request_timed_out: return {cluster::Errc::timed_out, std::move(message)};
    default: return {cluster::Errc::refused, std::move(message), static_cast<int16_t>(code)};
  }
}

cluster::Error to_error(const metadata::Refusal& r) { return to_error(r.code, r.message); }

Unexpected<cluster::Error> not_controller() {
  return Unexpected(cluster::Error{cluster::Errc::not_controller, "This node is not the active controller."});
}

std::vector<Controller::TopicResult> answers_of(const metadata::TopicDecisions& d) {
  std::vector<Controller::TopicResult> out;
  for (const auto& a : d.answers) {
    if (a) {
      out.push_back(Controller::TopicChange{a->topic_id, a->partitions, a->replication_factor});
    } else {
      out.push_back(Unexpected(to_error(a.error())));
    }
  }
  return out;
}

metadata::ConfigResourceChange resource_change(metadata::ConfigResourceType type, const std::string& name,
                                              const std::vector<Controller::ConfigChange>& changes) {
  metadata::ConfigResourceChange change;
  change.type = type;
  change.name = name;
  for (const Controller::ConfigChange& c : changes) {
    change.ops.push_back(metadata::ConfigOp{c.name, static_cast<metadata::ConfigOp::Type>(c.op), c.value});
  }
  return change;
}

}  // namespace

io::Task<std::vector<Controller::TopicResult>> Controller::quorum_create_topics(std::vector<NewTopic> topics,
                                                                                bool validate_only) {
  if (!quorum_->active()) co_return co_await forward_create_topics(topics, validate_only);
  std::vector<metadata::NewTopic> asked;
  for (NewTopic& t : topics) {
    metadata::NewTopic m;
    m.name = t.name;
    m.partitions = t.partitions;
    m.replication_factor = t.replication_factor;
    for (const auto& replicas : t.assignment) {
      std::vector<NodeId> ids;
      for (int32_t id : replicas) ids.push_back(NodeId{id});
      m.assignment.push_back(std::move(ids));
    }
    for (const auto& [k, v] : t.configs) m.configs[k] = v;
    asked.push_back(std::move(m));
  }
  metadata::TopicDecisions d = co_await quorum_->create_topics(std::move(asked), validate_only);
  co_return answers_of(d);
}

io::Task<std::vector<Controller::TopicResult>> Controller::forward_create_topics(const std::vector<NewTopic>& topics,
                                                                                 bool validate_only) {
  std::vector<TopicResult> results(topics.size(), not_controller());
  quorum::QuorumDriver* driver = broker_.quorum();
  if (driver == nullptr) co_return results;
  net::PeerClient* leader = driver->peer(driver->status().leader_id);
  if (leader == nullptr || leader->closed()) co_return results;
  protocol::CreateTopicsRequest req;
  req.validate_only = validate_only;
  for (const NewTopic& t : topics) {
    protocol::CreateTopicsRequest::CreatableTopic ct;
    ct.name = t.name;
    ct.num_partitions = t.assignment.empty() ? t.partitions : -1;
    ct.replication_factor = t.assignment.empty() ? t.replication_factor : int16_t{-1};
    for (size_t i = 0; i < t.assignment.size(); ++i) {
      protocol::CreateTopicsRequest::CreatableTopic::CreatableReplicaAssignment a;
      a.partition_index = static_cast<int32_t>(i);
      a.broker_ids = t.assignment[i];
      ct.assignments.push_back(std::move(a));
    }
    for (const auto& [k, v] : t.configs) {
      protocol::CreateTopicsRequest::CreatableTopic::CreatableTopicConfig c;
      c.name = k;
      c.value = v;
      ct.configs.push_back(std::move(c));
    }
    req.topics.push_back(std::move(ct));
  }
  auto resp = co_await leader->call<protocol::CreateTopicsResponse>(req, kCreateTopicsVersion,
                                                                    io::Clock::now() + kForwardTimeout);
  if (!resp) co_return results;
  for (size_t i = 0; i < topics.size(); ++i) {
    for (const auto& r : resp->topics) {
      if (r.name != topics[i].name) continue;
      if (r.error_code == 0) {
        results[i] = TopicChange{r.topic_id, r.num_partitions, r.replication_factor};
      } else {
        results[i] = Unexpected(to_error(static_cast<ErrorCode>(r.error_code), r.error_message.value_or("")));
      }
    }
  }
  co_return results;
}

io::Task<std::vector<Controller::TopicResult>> Controller::quorum_delete_topics(
    std::vector<std::pair<std::string, Uuid>> topics) {
  if (!quorum_->active()) co_return std::vector<TopicResult>(topics.size(), not_controller());
  std::vector<metadata::TopicRef> refs;
  for (auto& [name, id] : topics) refs.push_back(metadata::TopicRef{name, id});
  metadata::TopicDecisions d = co_await quorum_->delete_topics(std::move(refs));
  co_return answers_of(d);
}

io::Task<Controller::TopicResult> Controller::quorum_create_partitions(
    std::string topic, int32_t new_total, std::optional<std::vector<std::vector<int32_t>>> assignment,
    bool validate_only) {
  if (!quorum_->active()) co_return not_controller();
  std::optional<std::vector<std::vector<NodeId>>> placed;
  if (assignment) {
    placed.emplace();
    for (const auto& replicas : *assignment) {
      std::vector<NodeId> ids;
      for (int32_t id : replicas) ids.push_back(NodeId{id});
      placed->push_back(std::move(ids));
    }
  }
  metadata::TopicDecisions d = co_await quorum_->create_partitions(std::move(topic), new_total, std::move(placed),
                                                                   validate_only);
  std::vector<TopicResult> results = answers_of(d);
  if (results.empty()) co_return not_controller();
  co_return results.front();
}

io::Task<Controller::TopicResult> Controller::quorum_alter_topic_configs(std::string topic,
                                                                         std::vector<ConfigChange> changes,
                                                                         bool incremental, bool validate_only) {
  if (!quorum_->active()) co_return not_controller();
  std::vector<metadata::ConfigResourceChange> all{resource_change(metadata::ConfigResourceType::topic, topic, changes)};
  metadata::ConfigDecisions d = co_await quorum_->alter_configs(std::move(all), incremental, validate_only);
  if (d.answers.empty()) co_return not_controller();
  if (!d.answers.front()) co_return Unexpected(to_error(d.answers.front().error()));
  const cluster::TopicInfo* info = image_->topic(topic);
  TopicChange changed;
  if (info != nullptr) {
    changed.topic_id = info->id;
    changed.partitions = static_cast<int32_t>(info->partitions.size());
  }
  co_return changed;
}

io::Task<Controller::TopicResult> Controller::alter_broker_configs(std::string broker, std::vector<ConfigChange> changes,
                                                                   bool incremental, bool validate_only) {
  if (quorum_ == nullptr) {
    co_return Unexpected(cluster::Error{cluster::Errc::refused, "Broker configs of a single node are set in its properties file",
                                        static_cast<int16_t>(ErrorCode::invalid_request)});
  }
  if (!quorum_->active()) co_return not_controller();
  std::vector<metadata::ConfigResourceChange> all{resource_change(metadata::ConfigResourceType::broker, broker, changes)};
  metadata::ConfigDecisions d = co_await quorum_->alter_configs(std::move(all), incremental, validate_only);
  if (d.answers.empty()) co_return not_controller();
  if (!d.answers.front()) co_return Unexpected(to_error(d.answers.front().error()));
  co_return TopicChange{};
}

io::Task<Result<ProducerId, cluster::Errc>> Controller::quorum_allocate_producer_id() {
  if (next_producer_id_ >= producer_id_block_end_) {
    const NodeId self = broker_.config().node_id;
    const metadata::BrokerRegistration* reg = quorum_->image().broker(self);
    if (reg == nullptr) co_return Unexpected(cluster::Errc::no_producer_id_block);
    std::optional<metadata::ProducerIdBlock> block;
    if (quorum_->active()) {
      auto local = co_await quorum_->allocate_producer_ids(self, reg->epoch);
      if (local) block = *local;
    } else {
      block = co_await request_producer_ids(self, reg->epoch);
    }
    if (!block) co_return Unexpected(cluster::Errc::no_producer_id_block);
    next_producer_id_ = block->first_id;
    producer_id_block_end_ = block->first_id + block->size;
  }
  co_return ProducerId{next_producer_id_++};
}

io::Task<std::optional<metadata::ProducerIdBlock>> Controller::request_producer_ids(NodeId self, metadata::BrokerEpoch epoch) {
  quorum::QuorumDriver* driver = broker_.quorum();
  net::PeerClient* leader = driver == nullptr ? nullptr : driver->peer(driver->status().leader_id);
  if (leader == nullptr || leader->closed()) co_return std::nullopt;
  protocol::AllocateProducerIdsRequest req;
  req.broker_id = self.value();
  req.broker_epoch = epoch.value();
  auto deadline = io::Clock::now() + std::chrono::milliseconds(broker_.config().controller_quorum_request_timeout_ms);
  auto r = co_await leader->call<protocol::AllocateProducerIdsResponse>(req, 0, deadline);
  // Any failure (no answer, NOT_CONTROLLER while leadership moves) leaves the client to retry:
  // the handler answers no_producer_id_block, which it maps to a retriable error.
  if (!r || r->error_code != 0 || r->producer_id_len <= 0) co_return std::nullopt;
  co_return metadata::ProducerIdBlock{self, r->producer_id_start, r->producer_id_len};
}

}  // namespace runnel::server
