// DeleteGroups (API 42): only empty groups; their offsets and metadata get tombstones.
#include "broker/protocol/generated/delete_groups_request.h"
#include "broker/protocol/generated/delete_groups_response.h"
#include "broker/server/handlers/error_note.h"
#include "broker/server/group_service.h"
#include "broker/server/handlers/handlers.h"
#include "broker/server/router.h"

namespace runnel::server::handlers {

io::Task<HandlerStatus> delete_groups(RequestContext& ctx, protocol::Reader& body, protocol::Writer& out) {
  protocol::DeleteGroupsRequest req;
  if (!req.decode(body, ctx.api_version)) co_return HandlerStatus::close;
  protocol::DeleteGroupsResponse resp;
  for (const std::string& id : req.groups_names) {
    Router router(ctx.shard);
    ErrorCode e = co_await router.on_group(id, [&id](GroupService& groups) -> io::Task<ErrorCode> {
      co_return co_await groups.delete_group(id);
    });
    if (e != ErrorCode::none) ctx.note_error(e);
    auto& r = resp.results.emplace_back();
    r.group_id = id;
    r.error_code = wire(e);
  }
  note_errors(ctx, resp.results);
  resp.encode(out, ctx.api_version);
  co_return HandlerStatus::respond;
}

}  // namespace runnel::server::handlers
