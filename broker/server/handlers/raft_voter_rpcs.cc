// AddRaftVoter (80), RemoveRaftVoter (81) and UpdateRaftVoter (82): voter changes of a dynamic
// metadata quorum (KIP-853). kafka-metadata-quorum.sh add-controller/remove-controller sends Add
// and Remove to the active controller (found through DescribeCluster on a controller listener);
// a voter whose endpoints changed sends Update to the leader. Each request is handed to the quorum
// driver (broker/raft/voter_changes.cc decides and answers, Add and Remove once committed);
// a node that is not the leader answers NOT_LEADER_OR_FOLLOWER, so the client finds the leader.
// Sent to a broker listener (--bootstrap-server), Add and Remove are forwarded to the active
// controller.
#include "broker/protocol/generated/add_raft_voter_request.h"
#include "broker/protocol/generated/add_raft_voter_response.h"
#include "broker/protocol/generated/remove_raft_voter_request.h"
#include "broker/protocol/generated/remove_raft_voter_response.h"
#include "broker/protocol/generated/update_raft_voter_request.h"
#include "broker/protocol/generated/update_raft_voter_response.h"
#include "broker/quorum/quorum_driver.h"
#include "broker/server/broker.h"
#include "broker/server/handlers/error_note.h"
#include "broker/server/handlers/forward.h"
#include "broker/server/handlers/handlers.h"
#include "broker/server/router.h"
#include "broker/server/shard.h"

namespace runnel::server::handlers {

namespace {

// Beyond controller.quorum.request.timeout.ms (the leader's own bound on a change).
constexpr auto kSlack = std::chrono::milliseconds(1000);

template <typename Listeners>
std::vector<raft::VoterEndpoint> endpoints_of(const Listeners& listeners) {
  std::vector<raft::VoterEndpoint> out;
  for (const auto& l : listeners) out.push_back({l.name, l.host, l.port});
  return out;
}

// The driver's answer to a voter change; `admin` requests get a source id of their own.
io::Task<raft::VoterChangeResponse> ask(RequestContext& ctx, std::optional<NodeId> from, raft::Message request,
                                        int16_t api_key) {
  Router router(ctx.shard);
  std::optional<raft::Message> answer =
      co_await router.on_core(Router::kControllerCore, [&](Shard& s) -> io::Task<std::optional<raft::Message>> {
        quorum::QuorumDriver* driver = s.broker().quorum();
        if (driver == nullptr) co_return std::nullopt;
        NodeId source = from ? *from : driver->next_admin_source();
        auto timeout = std::chrono::milliseconds(driver->options().raft.request_timeout_ms) + kSlack;
        co_return co_await driver->handle(source, std::move(request), timeout);
      });
  raft::VoterChangeResponse r;
  if (answer && std::holds_alternative<raft::VoterChangeResponse>(*answer)) {
    r = std::get<raft::VoterChangeResponse>(std::move(*answer));
  } else {
    r.error = ctx.shard.broker().quorum_configured() ? ErrorCode::request_timed_out : ErrorCode::not_leader_or_follower;
  }
  r.api_key = api_key;
  co_return r;
}

// A request without a cluster id is not checked against ours (Kafka checks only a given one).
std::string our_cluster_id(RequestContext& ctx) {
  const quorum::QuorumOptions* o = ctx.shard.broker().quorum_options();
  return o == nullptr ? std::string() : o->raft.cluster_id;
}

std::optional<std::string> message_of(const raft::VoterChangeResponse& r) {
  if (r.error == ErrorCode::none || r.message.empty()) return std::nullopt;
  return r.message;
}

// Add and Remove answer alike: the error and Kafka's message.
template <typename Resp>
HandlerStatus answer(RequestContext& ctx, const raft::VoterChangeResponse& r, protocol::Writer& out) {
  Resp resp;
  resp.error_code = wire(r.error);
  resp.error_message = message_of(r);
  note_error_code(ctx, resp.error_code);
  resp.encode(out, ctx.api_version);
  return HandlerStatus::respond;
}

}  // namespace

io::Task<HandlerStatus> add_raft_voter(RequestContext& ctx, protocol::Reader& body, protocol::Writer& out) {
  // On a broker listener (kafka-metadata-quorum --bootstrap-server) a broker forwards the request
  // to the active controller, as Kafka's does; the controller listener decides here.
  if (ctx.listener != ListenerRole::controller) {
    if (auto forwarded = co_await forward_to_controller(ctx, body, out)) co_return *forwarded;
  }
  protocol::AddRaftVoterRequest req;
  if (!req.decode(body, ctx.api_version)) co_return HandlerStatus::close;
  raft::AddVoterRequest m;
  m.cluster_id = req.cluster_id.value_or(our_cluster_id(ctx));
  m.timeout_ms = req.timeout_ms;
  m.voter.id = NodeId{req.voter_id};
  m.voter.directory_id = req.voter_directory_id;
  m.voter.endpoints = endpoints_of(req.listeners);
  raft::VoterChangeResponse r = co_await ask(ctx, std::nullopt, std::move(m), raft::kAddRaftVoterApiKey);
  co_return answer<protocol::AddRaftVoterResponse>(ctx, r, out);
}

io::Task<HandlerStatus> remove_raft_voter(RequestContext& ctx, protocol::Reader& body, protocol::Writer& out) {
  // On a broker listener (kafka-metadata-quorum --bootstrap-server) a broker forwards the request
  // to the active controller, as Kafka's does; the controller listener decides here.
  if (ctx.listener != ListenerRole::controller) {
    if (auto forwarded = co_await forward_to_controller(ctx, body, out)) co_return *forwarded;
  }
  protocol::RemoveRaftVoterRequest req;
  if (!req.decode(body, ctx.api_version)) co_return HandlerStatus::close;
  raft::RemoveVoterRequest m{req.cluster_id.value_or(our_cluster_id(ctx)), NodeId{req.voter_id},
                             req.voter_directory_id};
  raft::VoterChangeResponse r = co_await ask(ctx, std::nullopt, std::move(m), raft::kRemoveRaftVoterApiKey);
  co_return answer<protocol::RemoveRaftVoterResponse>(ctx, r, out);
}

io::Task<HandlerStatus> update_raft_voter(RequestContext& ctx, protocol::Reader& body, protocol::Writer& out) {
  protocol::UpdateRaftVoterRequest req;
  if (!req.decode(body, ctx.api_version)) co_return HandlerStatus::close;
  raft::UpdateVoterRequest m;
  m.cluster_id = req.cluster_id.value_or(our_cluster_id(ctx));
  m.current_leader_epoch = LeaderEpoch{req.current_leader_epoch};
  m.voter.id = NodeId{req.voter_id};
  m.voter.directory_id = req.voter_directory_id;
  m.voter.endpoints = endpoints_of(req.listeners);
  m.voter.min_kraft_version = req.k_raft_version_feature.min_supported_version;
  m.voter.max_kraft_version = req.k_raft_version_feature.max_supported_version;
  // The voter is the sender, as in Kafka (the request names it).
  raft::VoterChangeResponse r = co_await ask(ctx, NodeId{req.voter_id}, std::move(m), raft::kUpdateRaftVoterApiKey);
  protocol::UpdateRaftVoterResponse resp;
  resp.error_code = wire(r.error);
  resp.current_leader.leader_id = r.current_leader.leader_id.value();
  resp.current_leader.leader_epoch = r.current_leader.leader_epoch.value();
  note_error_code(ctx, resp.error_code);
  resp.encode(out, ctx.api_version);
  co_return HandlerStatus::respond;
}

}  // namespace runnel::server::handlers
