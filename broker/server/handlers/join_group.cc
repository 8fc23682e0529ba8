// JoinGroup (API 11): forwarded to the group's coordinator core; the answer comes when the
// rebalance completes (or at once for errors and KIP-394's MEMBER_ID_REQUIRED).
#include "broker/protocol/generated/join_group_request.h"
#include "broker/protocol/generated/join_group_response.h"
#include "broker/server/group_service.h"
#include "broker/server/handlers/handlers.h"
#include "broker/server/router.h"

namespace runnel::server::handlers {

namespace {

// Kafka reports a member's host as Java's InetAddress.toString() of an unresolved peer:
// "/" + the address, without the port.
std::string client_host(std::string_view peer) {
  size_t colon = peer.rfind(':');
  if (colon != std::string_view::npos) peer = peer.substr(0, colon);
  std::string host;
  host.reserve(peer.size() + 1);
  host.push_back('/');
  host.append(peer);
  return host;
}

}  // namespace

io::Task<HandlerStatus> join_group(RequestContext& ctx, protocol::Reader& body, protocol::Writer& out) {
  protocol::JoinGroupRequest req;
  if (!req.decode(body, ctx.api_version)) co_return HandlerStatus::close;
  group::JoinRequest jr;
  jr.group_id = req.group_id;
  jr.member_id = req.member_id;
  jr.instance_id = req.group_instance_id;
  jr.client_id = ctx.client_id.value_or("");
  jr.client_host = client_host(ctx.peer);
  jr.session_timeout_ms = req.session_timeout_ms;
  jr.rebalance_timeout_ms = ctx.api_version >= 1 ? req.rebalance_timeout_ms : req.session_timeout_ms;
  jr.protocol_type = req.protocol_type;
  for (auto& p : req.protocols) jr.protocols.push_back(group::Protocol{p.name, std::move(p.metadata)});
  jr.require_known_member_id = ctx.api_version >= 4;
  jr.supports_skip_assignment = ctx.api_version >= 9;

  Router router(ctx.shard);
  group::JoinResult r = co_await router.on_group(jr.group_id, [&jr](GroupService& groups) -> io::Task<group::JoinResult> {
    co_return co_await groups.join(std::move(jr));
  });

  protocol::JoinGroupResponse resp;
  resp.error_code = wire(r.error);
  if (r.error != ErrorCode::none) ctx.note_error(r.error);
  resp.generation_id = r.generation;
  resp.protocol_type = r.protocol_type;
  // Before v7 the protocol name is not nullable.
  resp.protocol_name = r.protocol_name;
  if (ctx.api_version < 7 && !resp.protocol_name) resp.protocol_name = std::string();
  resp.leader = r.leader;
  resp.skip_assignment = r.skip_assignment;
  resp.member_id = r.member_id;
  for (auto& m : r.members) {
    auto& rm = resp.members.emplace_back();
    rm.member_id = m.member_id;
    rm.group_instance_id = m.instance_id;
    rm.metadata = std::move(m.metadata);
  }
  resp.encode(out, ctx.api_version);
  co_return HandlerStatus::respond;
}

}  // namespace runnel::server::handlers
