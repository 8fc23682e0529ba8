// ListGroups (API 16): the groups of every core, filtered by state (v4+) and type (v5+:
// "classic" or "consumer", the KIP-848 groups).
#include <strings.h>

#include "broker/protocol/generated/list_groups_request.h"
#include "broker/protocol/generated/list_groups_response.h"
#include "broker/server/router.h"
#include "broker/server/group_service.h"
#include "broker/server/handlers/error_note.h"
#include "broker/server/handlers/handlers.h"

namespace runnel::server::handlers {

namespace {

bool matches(const std::vector<std::string>& filter, const std::string& value) {
  if (filter.empty()) return true;
  for (const std::string& f : filter)
    if (strcasecmp(f.c_str(), value.c_str()) == 0) return true;
  return false;
}

struct CoreGroups {
  std::vector<group::GroupListing> groups;
  bool loading = false;
};

}  // namespace

io::Task<HandlerStatus> list_groups(RequestContext& ctx, protocol::Reader& body, protocol::Writer& out) {
  protocol::ListGroupsRequest req;
  if (!req.decode(body, ctx.api_version)) co_return HandlerStatus::close;
  protocol::ListGroupsResponse resp;
  Router router(ctx.shard);
  for (int i = 0; i < router.core_count(); ++i) {
    CoreGroups cg = co_await router.on_core(i, [](Shard& core) -> io::Task<CoreGroups> {
      co_return CoreGroups{core.groups().coordinator().list(-1), core.groups().any_loading()};
    });
    if (cg.loading) resp.error_code = wire(ErrorCode::coordinator_load_in_progress);
    for (auto& g : cg.groups) {
      if (!matches(req.states_filter, g.state) || !matches(req.types_filter, g.type)) continue;
      auto& lg = resp.groups.emplace_back();
      lg.group_id = g.group_id;
      lg.protocol_type = g.protocol_type;
      lg.group_state = g.state;
      lg.group_type = g.type;
    }
  }
  if (resp.error_code != 0) ctx.note_error(static_cast<ErrorCode>(resp.error_code));
  note_error_code(ctx, resp.error_code);
  resp.encode(out, ctx.api_version);
  co_return HandlerStatus::respond;
}

}  // namespace runnel::server::handlers
