// AllocateProducerIds (67): a broker asks the active controller for a block of producer ids, as
// Kafka's brokers do (ProducerIdManager), then hands them out itself to InitProducerId calls.
// The controller records the block in the metadata log (metadata/producer_id_decisions.h); any
// other node answers NOT_CONTROLLER and the broker asks the new leader.
#include "broker/protocol/generated/allocate_producer_ids_request.h"
#include "broker/protocol/generated/allocate_producer_ids_response.h"
#include "broker/server/broker.h"
#include "broker/server/handlers/error_note.h"
#include "broker/server/handlers/handlers.h"
#include "broker/server/quorum_controller.h"
#include "broker/server/router.h"
#include "broker/server/shard.h"

namespace runnel::server::handlers {

io::Task<HandlerStatus> allocate_producer_ids(RequestContext& ctx, protocol::Reader& body, protocol::Writer& out) {
  protocol::AllocateProducerIdsRequest req;
  if (!req.decode(body, ctx.api_version)) co_return HandlerStatus::close;
  auto answer = co_await Router(ctx.shard).on_core(
      Router::kControllerCore, [&req](Shard& s) -> io::Task<metadata::Answer<metadata::ProducerIdBlock>> {
        QuorumController* qc = s.broker().quorum_controller();
        if (qc == nullptr) co_return metadata::refuse(ErrorCode::not_controller);
        co_return co_await qc->allocate_producer_ids(NodeId{req.broker_id}, metadata::BrokerEpoch{req.broker_epoch});
      });
  protocol::AllocateProducerIdsResponse resp;
  if (answer) {
    resp.producer_id_start = answer->first_id;
    resp.producer_id_len = answer->size;
  } else {
    resp.error_code = wire(answer.error().code);
  }
  note_error_code(ctx, resp.error_code);
  resp.encode(out, ctx.api_version);
  co_return HandlerStatus::respond;
}

}  // namespace runnel::server::handlers
