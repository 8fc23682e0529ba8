// Heartbeat (API 12): keeps a member alive and tells it when a rebalance started.
#include "broker/protocol/generated/heartbeat_request.h"
#include "broker/protocol/generated/heartbeat_response.h"
#include "broker/server/handlers/error_note.h"
#include "broker/server/group_service.h"
#include "broker/server/handlers/handlers.h"
#include "broker/server/router.h"

namespace runnel::server::handlers {

io::Task<HandlerStatus> heartbeat(RequestContext& ctx, protocol::Reader& body, protocol::Writer& out) {
  protocol::HeartbeatRequest req;
  if (!req.decode(body, ctx.api_version)) co_return HandlerStatus::close;
  Router router(ctx.shard);
  ErrorCode e = co_await router.on_group(req.group_id, [&req](GroupService& groups) -> io::Task<ErrorCode> {
    co_return groups.for_group(req.group_id).heartbeat(req.group_id, req.member_id, req.group_instance_id,
                                                               req.generation_id);
  });
  if (e != ErrorCode::none) ctx.note_error(e);
  protocol::HeartbeatResponse resp;
  resp.error_code = wire(e);
  note_error_code(ctx, resp.error_code);
  resp.encode(out, ctx.api_version);
  co_return HandlerStatus::respond;
}

}  // namespace runnel::server::handlers
