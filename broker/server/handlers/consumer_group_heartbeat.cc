// ConsumerGroupHeartbeat (API 68, KIP-848): join, heartbeat and leave of the consumer group
// protocol, forwarded to the group's coordinator core (broker/group/consumer_group_coordinator.h);
// answered once the group's records are durable.
#include "broker/protocol/generated/consumer_group_heartbeat_request.h"
#include "broker/protocol/generated/consumer_group_heartbeat_response.h"
#include "broker/server/handlers/error_note.h"
#include "broker/server/group_service.h"
#include "broker/server/handlers/handlers.h"
#include "broker/server/router.h"

namespace runnel::server::handlers {

namespace {

// As JoinGroup: Java's InetAddress.toString() of the peer, "/" + address without the port.
std::string peer_host(std::string_view peer) {
  size_t colon = peer.rfind(':');
  if (colon != std::string_view::npos) peer = peer.substr(0, colon);
  std::string host;  // built in place: g++ 12 -O3 has a false -Wrestrict on "/" + string
  host.reserve(peer.size() + 1);
  host.push_back('/');
  host.append(peer);
  return host;
}

group::ConsumerHeartbeatRequest convert(protocol::ConsumerGroupHeartbeatRequest& req, RequestContext& ctx) {
  group::ConsumerHeartbeatRequest r;
  r.version = ctx.api_version;
  r.group_id = std::move(req.group_id);
  r.member_id = std::move(req.member_id);
  r.member_epoch = req.member_epoch;
  r.instance_id = std::move(req.instance_id);
  r.rack_id = std::move(req.rack_id);
  r.rebalance_timeout_ms = req.rebalance_timeout_ms;
  r.subscribed_topic_names = std::move(req.subscribed_topic_names);
  r.subscribed_topic_regex = std::move(req.subscribed_topic_regex);
  r.server_assignor = std::move(req.server_assignor);
  if (req.topic_partitions) {
    r.owned.emplace();
    for (const auto& tp : *req.topic_partitions) (*r.owned)[tp.topic_id].insert(tp.partitions.begin(), tp.partitions.end());
  }
  r.client_id = ctx.client_id.value_or("");
  r.client_host = peer_host(ctx.peer);
  return r;
}

}  // namespace

io::Task<HandlerStatus> consumer_group_heartbeat(RequestContext& ctx, protocol::Reader& body, protocol::Writer& out) {
  protocol::ConsumerGroupHeartbeatRequest req;
  if (!req.decode(body, ctx.api_version)) co_return HandlerStatus::close;
  group::ConsumerHeartbeatRequest hr = convert(req, ctx);
  Router router(ctx.shard);
  group::ConsumerHeartbeatResult r =
      co_await router.on_group(hr.group_id, [&hr](GroupService& groups) -> io::Task<group::ConsumerHeartbeatResult> {
        co_return co_await groups.consumer_heartbeat(std::move(hr));
      });
  protocol::ConsumerGroupHeartbeatResponse resp;
  resp.error_code = wire(r.error);
  resp.error_message = r.error_message;
  if (r.error != ErrorCode::none) ctx.note_error(r.error);
  resp.member_id = r.member_id;
  resp.member_epoch = r.member_epoch;
  resp.heartbeat_interval_ms = r.heartbeat_interval_ms;
  if (r.assignment) {
    auto& a = resp.assignment.emplace();
    for (const auto& [topic, partitions] : *r.assignment) {
      auto& tp = a.topic_partitions.emplace_back();
      tp.topic_id = topic;
      tp.partitions.assign(partitions.begin(), partitions.end());
    }
  }
  note_error_code(ctx, resp.error_code);
  resp.encode(out, ctx.api_version);
  co_return HandlerStatus::respond;
}

}  // namespace runnel::server::handlers
