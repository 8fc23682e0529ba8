// DescribeCluster (API 60): the brokers, cluster id and controller as this broker's metadata
// image has them. Runnel listeners are broker endpoints (EndpointType 1); asking one for the
// controllers (2) or an unknown type is an error, as on a Kafka broker.
#include "broker/protocol/generated/describe_cluster_request.h"
#include "broker/protocol/generated/describe_cluster_response.h"
#include "broker/server/handlers/error_note.h"
#include "broker/server/handlers/handlers.h"
#include "broker/quorum/quorum_driver.h"
#include "broker/server/broker.h"
#include "broker/server/router.h"
#include "broker/server/shard.h"

namespace runnel::server::handlers {

namespace {

constexpr int8_t kBrokerEndpoint = 1;
constexpr int8_t kControllerEndpoint = 2;

// Kafka's AclOperation codes a CLUSTER resource supports (AclEntry.supportedOperations): with
// no authorizer configured every one of them is allowed.
constexpr int32_t kClusterOperations = (1 << 5) /* CREATE */ | (1 << 7) /* ALTER */ | (1 << 8) /* DESCRIBE */ |
                                       (1 << 9) /* CLUSTER_ACTION */ | (1 << 10) /* DESCRIBE_CONFIGS */ |
                                       (1 << 11) /* ALTER_CONFIGS */ | (1 << 12) /* IDEMPOTENT_WRITE */;

}  // namespace

io::Task<HandlerStatus> describe_cluster(RequestContext& ctx, protocol::Reader& body, protocol::Writer& out) {
  protocol::DescribeClusterRequest req;
  if (!req.decode(body, ctx.api_version)) co_return HandlerStatus::close;

  protocol::DescribeClusterResponse resp;
  // Before v1 the endpoint type is not sent and errors are INVALID_REQUEST.
  if (req.endpoint_type != kBrokerEndpoint && req.endpoint_type != kControllerEndpoint) {
    resp.error_code = wire(ctx.api_version == 0 ? ErrorCode::invalid_request : ErrorCode::unsupported_endpoint_type);
    resp.error_message = "Unsupported endpoint type " + std::to_string(req.endpoint_type);
  } else if (ctx.listener == ListenerRole::controller && req.endpoint_type == kBrokerEndpoint) {
    resp.error_code = wire(ctx.api_version == 0 ? ErrorCode::invalid_request : ErrorCode::mismatched_endpoint_type);
    resp.error_message = "The request was sent to an endpoint of type CONTROLLER, but we wanted an endpoint of type BROKER";
  } else if (req.endpoint_type == kControllerEndpoint && ctx.api_version >= 1 && ctx.listener == ListenerRole::controller &&
             ctx.shard.broker().quorum_options() != nullptr) {
    // The controller listener answers for the controllers (kafka-metadata-quorum
    // --bootstrap-controller): the voters' controller endpoints, and the quorum leader as the
    // controller. A broker listener answers MISMATCHED_ENDPOINT_TYPE, as Kafka's does.
    Router router(ctx.shard);
    struct Controllers {
      NodeId leader{-1};
      std::vector<config::QuorumVoter> voters;  // the voter set now (a dynamic quorum's changes)
    };
    Controllers q = co_await router.on_core(Router::kControllerCore, [](Shard& s) -> io::Task<Controllers> {
      quorum::QuorumDriver* d = s.broker().quorum();
      if (d == nullptr) co_return Controllers{};
      co_return Controllers{d->status().leader_id, d->current_voters()};
    });
    NodeId leader = q.leader;
    resp.endpoint_type = kControllerEndpoint;
    resp.cluster_id = ctx.shard.image()->cluster_id;
    resp.controller_id = leader.value();
    for (const config::QuorumVoter& v : q.voters) {
      protocol::DescribeClusterResponse::DescribeClusterBroker db;
      db.broker_id = v.id.value();
      db.host = v.host;
      db.port = v.port;
      db.rack.reset();
      resp.brokers.push_back(std::move(db));
    }
    if (req.include_cluster_authorized_operations) resp.cluster_authorized_operations = kClusterOperations;
  } else if (req.endpoint_type == kControllerEndpoint) {
    resp.error_code = wire(ctx.api_version == 0 ? ErrorCode::invalid_request : ErrorCode::mismatched_endpoint_type);
    resp.error_message = "The request was sent to an endpoint of type BROKER, but we wanted an endpoint of type CONTROLLER";
  } else {
    cluster::ImagePtr image = ctx.shard.image();
    resp.endpoint_type = kBrokerEndpoint;
    resp.cluster_id = image->cluster_id;
    resp.controller_id = -1;
    for (const cluster::BrokerInfo& b : image->brokers) {
      protocol::DescribeClusterResponse::DescribeClusterBroker db;
      db.broker_id = b.node_id.value();
      db.host = b.host;
      db.port = b.port;
      db.rack = b.rack;
      resp.brokers.push_back(std::move(db));
      // Kafka answers -1 rather than name a controller the client cannot reach.
      if (b.node_id == image->controller_id) resp.controller_id = image->controller_id.value();
    }
    if (req.include_cluster_authorized_operations) resp.cluster_authorized_operations = kClusterOperations;
  }
  note_error_code(ctx, resp.error_code);
  resp.encode(out, ctx.api_version);
  co_return HandlerStatus::respond;
}

}  // namespace runnel::server::handlers
