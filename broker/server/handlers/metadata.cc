#include "broker/cluster/topic_name.h"
#include "broker/protocol/generated/metadata_request.h"
#include "broker/protocol/generated/metadata_response.h"
#include "broker/server/auto_create.h"
#include "broker/server/handlers/error_note.h"
#include "broker/server/handlers/handlers.h"
#include "broker/server/shard.h"

namespace runnel::server::handlers {

namespace {

// Without an authorizer every principal may do everything. Kafka's AclOperation bits:
// topic: READ, WRITE, CREATE, DELETE, ALTER, DESCRIBE, DESCRIBE_CONFIGS, ALTER_CONFIGS;
// cluster: CREATE, ALTER, DESCRIBE, CLUSTER_ACTION, DESCRIBE_CONFIGS, ALTER_CONFIGS, IDEMPOTENT_WRITE.
constexpr int32_t kAllTopicOperations = 3576;
constexpr int32_t kAllClusterOperations = 8096;

protocol::MetadataResponse::MetadataResponseTopic describe(const cluster::TopicInfo& t) {
  protocol::MetadataResponse::MetadataResponseTopic out;
  out.name = t.name;
  out.topic_id = t.id;
  out.is_internal = t.internal;
  for (const cluster::PartitionInfo& p : t.partitions) {
    protocol::MetadataResponse::MetadataResponseTopic::MetadataResponsePartition mp;
    mp.partition_index = p.partition;
    mp.leader_id = p.leader.value();
    mp.leader_epoch = p.leader_epoch.value();
    mp.replica_nodes = values_of(p.replicas);
    mp.isr_nodes = values_of(p.isr);
    out.partitions.push_back(std::move(mp));
  }
  return out;
}

protocol::MetadataResponse::MetadataResponseTopic topic_error(std::optional<std::string> name, const Uuid& id,
                                                              ErrorCode error) {
  protocol::MetadataResponse::MetadataResponseTopic out;
  out.name = std::move(name);
  out.topic_id = id;
  out.error_code = wire(error);
  return out;
}

}  // namespace

io::Task<HandlerStatus> metadata(RequestContext& ctx, protocol::Reader& body, protocol::Writer& out) {
  protocol::MetadataRequest req;
  if (!req.decode(body, ctx.api_version)) co_return HandlerStatus::close;
  Shard& shard = ctx.shard;

  // v0: an empty list means all topics; v1+: null means all, empty means none.
  bool all_topics = !req.topics.has_value() || (ctx.api_version == 0 && req.topics->empty());
  bool auto_create = ctx.api_version < 4 || req.allow_auto_topic_creation;

  if (!all_topics) {
    std::vector<std::string> missing;
    for (const auto& t : *req.topics) {
      if (t.name && shard.image()->topic(*t.name) == nullptr && cluster::validate_topic_name(*t.name).has_value()) {
        missing.push_back(*t.name);
      }
    }
    if (auto_create && !missing.empty()) co_await auto_create_topics(shard, std::move(missing));
  }

  cluster::ImagePtr image = shard.image();
  protocol::MetadataResponse resp;
  for (const cluster::BrokerInfo& b : image->brokers) {
    protocol::MetadataResponse::MetadataResponseBroker mb;
    mb.node_id = b.node_id.value();
    mb.host = b.host;
    mb.port = b.port;
    mb.rack = b.rack;
    resp.brokers.push_back(std::move(mb));
  }
  resp.cluster_id = image->cluster_id;
  resp.controller_id = image->controller_id.value();
  if (all_topics) {
    for (const auto& [name, t] : image->topics) resp.topics.push_back(describe(*t));
  } else {
    for (const auto& rt : *req.topics) {
      if (!rt.name || (rt.name->empty() && !rt.topic_id.is_zero())) {
        // Lookup by topic id (v10+). The Java client sends such entries with name "" (the
        // schema default) rather than null, e.g. for KIP-848 assignments of regex subscriptions.
        const cluster::TopicInfo* t = image->topic_by_id(rt.topic_id);
        resp.topics.push_back(t ? describe(*t) : topic_error(std::nullopt, rt.topic_id, ErrorCode::unknown_topic_id));
        continue;
      }
      if (!cluster::validate_topic_name(*rt.name).has_value()) {
        resp.topics.push_back(topic_error(rt.name, Uuid{}, ErrorCode::invalid_topic_exception));
        continue;
      }
      const cluster::TopicInfo* t = image->topic(*rt.name);
      resp.topics.push_back(t ? describe(*t) : topic_error(rt.name, Uuid{}, ErrorCode::unknown_topic_or_partition));
    }
  }
  if (req.include_topic_authorized_operations) {
    for (auto& t : resp.topics) {
      if (t.error_code == 0) t.topic_authorized_operations = kAllTopicOperations;
    }
  }
  if (req.include_cluster_authorized_operations) resp.cluster_authorized_operations = kAllClusterOperations;
  note_errors(ctx, resp.topics);
  for (const auto& t : resp.topics) note_errors(ctx, t.partitions);
  resp.encode(out, ctx.api_version);
  co_return HandlerStatus::respond;
}

}  // namespace runnel::server::handlers
