// InitProducerId (API 22). Without a transactional id Kafka's transaction coordinator "blindly"
// hands out a fresh producer id with epoch 0, also when the client passes its old id and epoch
// (KIP-360): that is what we do, with ids from this broker's block, which the active controller
// allocates and records in the metadata log (AllocateProducerIds when it runs elsewhere).
//
// Runnel has no transaction coordinator yet. A transactional id is answered as a Kafka broker
// that does not own the id's __transaction_state partition answers: NOT_COORDINATOR, after
// the checks that come first in Kafka (empty id, transaction timeout). Clients then look the
// coordinator up again and retry until their own timeout.
#include "broker/protocol/generated/init_producer_id_request.h"
#include "broker/protocol/generated/init_producer_id_response.h"
#include "broker/server/broker.h"
#include "broker/server/cluster_errors.h"
#include "broker/server/controller.h"
#include "broker/server/router.h"
#include "broker/server/handlers/error_note.h"
#include "broker/server/handlers/handlers.h"
#include "broker/server/shard.h"

namespace runnel::server::handlers {

namespace {

constexpr int64_t kNoProducerId = -1;
constexpr int16_t kNoProducerEpoch = -1;

io::Task<HandlerStatus> answer(RequestContext& ctx, protocol::Writer& out, ErrorCode error, int64_t id = kNoProducerId,
                               int16_t epoch = kNoProducerEpoch) {
  protocol::InitProducerIdResponse resp;
  resp.error_code = wire(error);
  resp.producer_id = id;
  resp.producer_epoch = epoch;
  note_error_code(ctx, resp.error_code);
  resp.encode(out, ctx.api_version);
  co_return HandlerStatus::respond;
}

}  // namespace

io::Task<HandlerStatus> init_producer_id(RequestContext& ctx, protocol::Reader& body, protocol::Writer& out) {
  protocol::InitProducerIdRequest req;
  if (!req.decode(body, ctx.api_version)) co_return HandlerStatus::close;

  // An id without an epoch (or the reverse) is malformed.
  bool has_id = req.producer_id != kNoProducerId;
  bool has_epoch = req.producer_epoch != kNoProducerEpoch;
  if (has_id != has_epoch) co_return co_await answer(ctx, out, ErrorCode::invalid_request);

  if (req.transactional_id) {
    if (req.transactional_id->empty()) co_return co_await answer(ctx, out, ErrorCode::invalid_request);
    int32_t max_timeout = ctx.shard.broker().config().transaction_max_timeout_ms;
    if (req.transaction_timeout_ms <= 0 || req.transaction_timeout_ms > max_timeout) {
      co_return co_await answer(ctx, out, ErrorCode::invalid_transaction_timeout);
    }
    co_return co_await answer(ctx, out, ErrorCode::not_coordinator);
  }

  Result<ProducerId, cluster::Errc> id = co_await Router(ctx.shard).on_controller(
      [](Controller& controller) -> io::Task<Result<ProducerId, cluster::Errc>> {
        co_return co_await controller.allocate_producer_id();
      });
  if (!id) co_return co_await answer(ctx, out, to_kafka(id.error()));
  co_return co_await answer(ctx, out, ErrorCode::none, id->value(), 0);
}

}  // namespace runnel::server::handlers
