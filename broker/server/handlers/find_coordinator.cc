// FindCoordinator (API 10). Groups (key type 0) are coordinated by the leader of their
// __consumer_offsets partition: with one broker, this broker. As Kafka, the first lookup
// creates __consumer_offsets (offsets.topic.num.partitions, offsets.topic.replication.factor,
// cleanup.policy=compact); while it cannot be created the answer is COORDINATOR_NOT_AVAILABLE,
// which is also what Kafka says when offsets.topic.replication.factor exceeds the live brokers.
// Transactions (key type 1) have no coordinator yet: COORDINATOR_NOT_AVAILABLE.
#include "broker/log/log.h"
#include "broker/protocol/generated/find_coordinator_request.h"
#include "broker/protocol/generated/find_coordinator_response.h"
#include "broker/server/cluster_errors.h"
#include "broker/server/controller.h"
#include "broker/server/group_service.h"
#include "broker/server/router.h"
#include "broker/group/offsets_partition.h"
#include "broker/server/handlers/handlers.h"

namespace runnel::server::handlers {

namespace {

constexpr int8_t kGroupKey = 0;
constexpr int8_t kTransactionKey = 1;

io::Task<bool> ensure_offsets_topic(Shard& shard) {
  if (shard.image()->topic(kOffsetsTopic) != nullptr) co_return true;
  Broker& broker = shard.broker();
  const auto& cfg = broker.config();
  std::vector<Controller::NewTopic> topics(1);
  topics[0].name = kOffsetsTopic;
  topics[0].partitions = cfg.offsets_topic_num_partitions;
  topics[0].replication_factor = cfg.offsets_topic_replication_factor;
  topics[0].configs["cleanup.policy"] = "compact";
  topics[0].configs["compression.type"] = "producer";
  topics[0].configs["segment.bytes"] = std::to_string(cfg.offsets_topic_segment_bytes);
  auto results = co_await Router(shard).on_controller(
      [&topics](Controller& controller) -> io::Task<std::vector<Controller::TopicResult>> {
        co_return co_await controller.create_topics(std::move(topics), false);
      });
  if (results.empty()) co_return false;
  if (!results[0] && results[0].error().code != cluster::Errc::topic_exists) {
    RUNNEL_LOG_LIMITED(warn, "cannot create %s: %s (%s)", kOffsetsTopic, cluster::name(results[0].error().code),
                       results[0].error().message.c_str());
    co_return false;
  }
  co_return shard.image()->topic(kOffsetsTopic) != nullptr;
}

struct Answer {
  ErrorCode error = ErrorCode::none;
  int32_t node_id = -1;
  std::string host;
  int32_t port = -1;
};

io::Task<Answer> lookup(Shard& shard, int8_t key_type, const std::string& key) {
  Answer a;
  if (key_type == kTransactionKey) {
    a.error = ErrorCode::coordinator_not_available;
    co_return a;
  }
  if (key_type != kGroupKey) {
    a.error = ErrorCode::invalid_request;
    co_return a;
  }
  if (key.empty()) {
    a.error = ErrorCode::invalid_request;
    co_return a;
  }
  if (!co_await ensure_offsets_topic(shard)) {
    a.error = ErrorCode::coordinator_not_available;
    co_return a;
  }
  // The coordinator is the leader of the group's __consumer_offsets partition.
  cluster::ImagePtr image = shard.image();
  const cluster::TopicInfo* offsets = image->topic(kOffsetsTopic);
  int32_t p = group::offsets_partition_for(key, shard.broker().config().offsets_topic_num_partitions);
  if (offsets == nullptr || !offsets->has_partition(p)) {
    a.error = ErrorCode::coordinator_not_available;
    co_return a;
  }
  const NodeId leader = offsets->partitions[static_cast<size_t>(p)].leader;
  for (const cluster::BrokerInfo& b : image->brokers) {
    if (b.node_id != leader) continue;
    a.node_id = b.node_id.value();
    a.host = b.host;
    a.port = b.port;
    co_return a;
  }
  a.error = ErrorCode::coordinator_not_available;
  co_return a;
}

}  // namespace

io::Task<HandlerStatus> find_coordinator(RequestContext& ctx, protocol::Reader& body, protocol::Writer& out) {
  protocol::FindCoordinatorRequest req;
  if (!req.decode(body, ctx.api_version)) co_return HandlerStatus::close;
  protocol::FindCoordinatorResponse resp;
  if (ctx.api_version < 4) {
    Answer a = co_await lookup(ctx.shard, req.key_type, req.key);
    resp.error_code = wire(a.error);
    if (a.error == ErrorCode::none) {
      resp.error_message.reset();
    } else {
      resp.error_message = std::string(error_name(a.error));
      ctx.note_error(a.error);
    }
    resp.node_id = a.node_id;
    resp.host = a.host;
    resp.port = a.port;
  } else {
    for (const std::string& key : req.coordinator_keys) {
      Answer a = co_await lookup(ctx.shard, req.key_type, key);
      auto& c = resp.coordinators.emplace_back();
      c.key = key;
      c.error_code = wire(a.error);
      if (a.error == ErrorCode::none) {
        c.error_message.reset();
      } else {
        c.error_message = std::string(error_name(a.error));
        ctx.note_error(a.error);
      }
      c.node_id = a.node_id;
      c.host = a.host;
      c.port = a.port;
    }
  }
  resp.encode(out, ctx.api_version);
  co_return HandlerStatus::respond;
}

}  // namespace runnel::server::handlers
