// BrokerRegistration (62) and BrokerHeartbeat (63): brokers joining and staying in the cluster,
// answered by the active controller (server/quorum_controller.h) as Kafka's controller answers
// them; any other node answers NOT_CONTROLLER and the broker retries with the new leader.
#include "broker/protocol/generated/broker_heartbeat_request.h"
#include "broker/protocol/generated/broker_heartbeat_response.h"
#include "broker/protocol/generated/broker_registration_request.h"
#include "broker/protocol/generated/broker_registration_response.h"
#include "broker/server/broker.h"
#include "broker/server/controller.h"
#include "broker/server/handlers/error_note.h"
#include "broker/server/handlers/handlers.h"
#include "broker/server/quorum_controller.h"
#include "broker/server/router.h"
#include "broker/server/shard.h"

namespace runnel::server::handlers {

io::Task<HandlerStatus> broker_registration(RequestContext& ctx, protocol::Reader& body, protocol::Writer& out) {
  protocol::BrokerRegistrationRequest req;
  if (!req.decode(body, ctx.api_version)) co_return HandlerStatus::close;
  protocol::BrokerRegistrationResponse resp;
  if (req.cluster_id != ctx.shard.image()->cluster_id) {
    resp.error_code = wire(ErrorCode::inconsistent_cluster_id);
  } else {
    metadata::BrokerRegistrationRequest r;
    r.broker_id = NodeId{req.broker_id};
    r.incarnation_id = req.incarnation_id;
    r.rack = req.rack;
    for (const auto& l : req.listeners) r.listeners.push_back(metadata::Endpoint{l.name, l.host, l.port, l.security_protocol});
    auto answer = co_await Router(ctx.shard).on_core(
        Router::kControllerCore, [&r](Shard& s) -> io::Task<metadata::Answer<metadata::BrokerEpoch>> {
          QuorumController* qc = s.broker().quorum_controller();
          if (qc == nullptr) co_return metadata::refuse(ErrorCode::not_controller);
          co_return co_await qc->register_broker(std::move(r));
        });
    if (answer) {
      resp.broker_epoch = answer->value();
    } else {
      resp.error_code = wire(answer.error().code);
    }
  }
  note_error_code(ctx, resp.error_code);
  resp.encode(out, ctx.api_version);
  co_return HandlerStatus::respond;
}

io::Task<HandlerStatus> broker_heartbeat(RequestContext& ctx, protocol::Reader& body, protocol::Writer& out) {
  protocol::BrokerHeartbeatRequest req;
  if (!req.decode(body, ctx.api_version)) co_return HandlerStatus::close;
  auto answer = co_await Router(ctx.shard).on_core(
      Router::kControllerCore, [&req](Shard& s) -> io::Task<QuorumController::HeartbeatAnswer> {
        QuorumController* qc = s.broker().quorum_controller();
        if (qc == nullptr) {
          QuorumController::HeartbeatAnswer none;
          none.error = ErrorCode::not_controller;
          co_return none;
        }
        co_return co_await qc->heartbeat(NodeId{req.broker_id}, metadata::BrokerEpoch{req.broker_epoch},
                                         Offset{req.current_metadata_offset}, req.want_shut_down);
      });
  protocol::BrokerHeartbeatResponse resp;
  resp.error_code = wire(answer.error);
  resp.is_caught_up = answer.caught_up;
  resp.is_fenced = answer.fenced;
  resp.should_shut_down = answer.should_shut_down;
  note_error_code(ctx, resp.error_code);
  resp.encode(out, ctx.api_version);
  co_return HandlerStatus::respond;
}

}  // namespace runnel::server::handlers
