// DescribeGroups (API 15): each group described by its coordinator core. An unknown group is
// reported as Kafka does up to v5: no error, state "Dead".
#include "broker/protocol/generated/describe_groups_request.h"
#include "broker/protocol/generated/describe_groups_response.h"
#include "broker/server/group_service.h"
#include "broker/server/handlers/handlers.h"
#include "broker/server/router.h"

namespace runnel::server::handlers {

io::Task<HandlerStatus> describe_groups(RequestContext& ctx, protocol::Reader& body, protocol::Writer& out) {
  protocol::DescribeGroupsRequest req;
  if (!req.decode(body, ctx.api_version)) co_return HandlerStatus::close;
  protocol::DescribeGroupsResponse resp;
  for (const std::string& id : req.groups) {
    Router router(ctx.shard);
    group::GroupDescription d = co_await router.on_group(id, [&id](GroupService& groups) -> io::Task<group::GroupDescription> {
      co_return groups.for_group(id).describe(id);
    });
    auto& g = resp.groups.emplace_back();
    g.error_code = wire(d.error);
    if (d.error != ErrorCode::none) ctx.note_error(d.error);
    g.group_id = id;
    g.group_state = d.state;
    g.protocol_type = d.protocol_type;
    g.protocol_data = d.protocol_data;
    for (auto& m : d.members) {
      auto& gm = g.members.emplace_back();
      gm.member_id = m.member_id;
      gm.group_instance_id = m.instance_id;
      gm.client_id = m.client_id;
      gm.client_host = m.client_host;
      gm.member_metadata = std::move(m.metadata);
      gm.member_assignment = std::move(m.assignment);
    }
  }
  resp.encode(out, ctx.api_version);
  co_return HandlerStatus::respond;
}

}  // namespace runnel::server::handlers
