// LeaveGroup (API 13): one member (v0-2) or a batch of members, static ones by instance id
// (v3+, KIP-345).
#include "broker/protocol/generated/leave_group_request.h"
#include "broker/protocol/generated/leave_group_response.h"
#include "broker/server/group_service.h"
#include "broker/server/handlers/handlers.h"
#include "broker/server/router.h"

namespace runnel::server::handlers {

io::Task<HandlerStatus> leave_group(RequestContext& ctx, protocol::Reader& body, protocol::Writer& out) {
  protocol::LeaveGroupRequest req;
  if (!req.decode(body, ctx.api_version)) co_return HandlerStatus::close;
  std::vector<group::LeaveMember> members;
  if (ctx.api_version < 3) {
    members.push_back(group::LeaveMember{req.member_id, std::nullopt});
  } else {
    for (const auto& m : req.members) members.push_back(group::LeaveMember{m.member_id, m.group_instance_id});
  }
  Router router(ctx.shard);
  group::LeaveResult r = co_await router.on_group(req.group_id, [&req, &members](GroupService& groups) -> io::Task<group::LeaveResult> {
    co_return groups.for_group(req.group_id).leave(req.group_id, members);
  });
  protocol::LeaveGroupResponse resp;
  if (r.error != ErrorCode::none) {
    resp.error_code = wire(r.error);
  } else if (ctx.api_version < 3) {
    resp.error_code = wire(r.members.empty() ? ErrorCode::none : r.members[0]);
  } else {
    for (size_t i = 0; i < r.members.size(); ++i) {
      auto& m = resp.members.emplace_back();
      m.member_id = members[i].member_id;
      m.group_instance_id = members[i].instance_id;
      m.error_code = wire(r.members[i]);
    }
  }
  if (resp.error_code != 0) ctx.note_error(static_cast<ErrorCode>(resp.error_code));
  resp.encode(out, ctx.api_version);
  co_return HandlerStatus::respond;
}

}  // namespace runnel::server::handlers
