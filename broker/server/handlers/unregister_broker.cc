// UnregisterBroker (64): `kafka-cluster.sh unregister --id N` removes a broker's registration,
// as Kafka's controller does (its partitions get new leaders by the fencing rules). A broker
// that is not registered gets BROKER_ID_NOT_REGISTERED. Any broker forwards it to the active
// controller (forward.h); the active controller decides it (QuorumController::unregister_broker).
// A node that runs no metadata quorum has no registrations: INVALID_REQUEST.
#include "broker/protocol/generated/unregister_broker_request.h"
#include "broker/protocol/generated/unregister_broker_response.h"
#include "broker/server/broker.h"
#include "broker/server/handlers/error_note.h"
#include "broker/server/handlers/forward.h"
#include "broker/server/handlers/handlers.h"
#include "broker/server/quorum_controller.h"
#include "broker/server/router.h"
#include "broker/server/shard.h"

namespace runnel::server::handlers {

io::Task<HandlerStatus> unregister_broker(RequestContext& ctx, protocol::Reader& body, protocol::Writer& out) {
  if (auto forwarded = co_await forward_to_controller(ctx, body, out)) co_return *forwarded;
  protocol::UnregisterBrokerRequest req;
  if (!req.decode(body, ctx.api_version)) co_return HandlerStatus::close;
  auto answer = co_await Router(ctx.shard).on_core(
      Router::kControllerCore, [&req](Shard& s) -> io::Task<metadata::Answer<void>> {
        QuorumController* qc = s.broker().quorum_controller();
        if (qc == nullptr) co_return metadata::refuse(ErrorCode::invalid_request, "This node runs no metadata quorum.");
        co_return co_await qc->unregister_broker(NodeId{req.broker_id});
      });
  protocol::UnregisterBrokerResponse resp;
  if (!answer) {
    resp.error_code = wire(answer.error().code);
    if (!answer.error().message.empty()) resp.error_message = answer.error().message;
  }
  note_error_code(ctx, resp.error_code);
  resp.encode(out, ctx.api_version);
  co_return HandlerStatus::respond;
}

}  // namespace runnel::server::handlers
