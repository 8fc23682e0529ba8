// SyncGroup (API 14): the leader hands in the assignment; every member gets its part once the
// group record is durable in __consumer_offsets.
#include "broker/protocol/generated/sync_group_request.h"
#include "broker/protocol/generated/sync_group_response.h"
#include "broker/server/handlers/error_note.h"
#include "broker/server/group_service.h"
#include "broker/server/handlers/handlers.h"
#include "broker/server/router.h"

namespace runnel::server::handlers {

io::Task<HandlerStatus> sync_group(RequestContext& ctx, protocol::Reader& body, protocol::Writer& out) {
  protocol::SyncGroupRequest req;
  if (!req.decode(body, ctx.api_version)) co_return HandlerStatus::close;
  group::SyncRequest sr;
  sr.group_id = req.group_id;
  sr.generation = req.generation_id;
  sr.member_id = req.member_id;
  sr.instance_id = req.group_instance_id;
  sr.protocol_type = req.protocol_type;
  sr.protocol_name = req.protocol_name;
  for (auto& a : req.assignments) sr.assignments.emplace_back(a.member_id, std::move(a.assignment));

  Router router(ctx.shard);
  group::SyncResult r = co_await router.on_group(sr.group_id, [&sr](GroupService& groups) -> io::Task<group::SyncResult> {
    co_return co_await groups.sync(std::move(sr));
  });
  protocol::SyncGroupResponse resp;
  resp.error_code = wire(r.error);
  if (r.error != ErrorCode::none) ctx.note_error(r.error);
  resp.protocol_type = r.protocol_type;
  resp.protocol_name = r.protocol_name;
  resp.assignment = std::move(r.assignment);
  note_error_code(ctx, resp.error_code);
  resp.encode(out, ctx.api_version);
  co_return HandlerStatus::respond;
}

}  // namespace runnel::server::handlers
