// The KRaft RPCs of the metadata quorum: Vote (52), BeginQuorumEpoch (53), EndQuorumEpoch (54),
// DescribeQuorum (55), FetchSnapshot (59), and Fetch (1) of __cluster_metadata. Each request is mapped to the raft
// core's message (broker/raft/wire.h), handed to this node's quorum driver on its core
// (broker/quorum/quorum_driver.h) and answered with the core's response, as KafkaRaftClient's
// handlers do. Input that is not a raft message is Kafka's INVALID_REQUEST (CORRUPT_MESSAGE for
// records); a node that is not a voter answers as a Kafka broker without a raft client would.
//
// DescribeQuorum (kafka-metadata-quorum.sh) may reach any node: the quorum leader answers it,
// another voter forwards the request to the leader and relays the answer, as a Kafka broker
// forwards it to the active controller.
#include "broker/log/log.h"
#include "broker/protocol/generated/describe_quorum_request.h"
#include "broker/protocol/generated/describe_quorum_response.h"
#include "broker/quorum/quorum_driver.h"
#include "broker/raft/wire.h"
#include "broker/raft/wire_fetch_snapshot.h"
#include "broker/server/broker.h"
#include "broker/server/handlers/error_note.h"
#include "broker/server/handlers/handlers.h"
#include "broker/server/handlers/quorum_rpcs.h"
#include "broker/server/router.h"
#include "broker/server/shard.h"

namespace runnel::server::handlers {

namespace {

namespace rw = raft::wire;
using Answer = std::optional<raft::Message>;

// How long a handler waits for the replica's answer beyond what the request itself may wait.
constexpr auto kAnswerTimeout = std::chrono::milliseconds(2000);

int64_t wall_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Hands `request` from node `from` to the quorum driver (on its core) and returns its answer.
io::Task<Answer> ask_quorum(RequestContext& ctx, NodeId from, raft::Message& request, std::chrono::milliseconds timeout) {
  Router router(ctx.shard);
  co_return co_await router.on_core(Router::kControllerCore, [&](Shard& s) -> io::Task<Answer> {
    quorum::QuorumDriver* driver = s.broker().quorum();
    if (driver == nullptr) co_return std::nullopt;
    co_return co_await driver->handle(from, std::move(request), timeout);
  });
}

// The replica's answer of type `Resp` to `request`; when none came, one whose error says why
// (a node without a quorum member answers as a non-voter) and that names no leader.
template <typename Resp>
io::Task<Resp> answer_of(RequestContext& ctx, NodeId from, raft::Message& request, std::chrono::milliseconds timeout) {
  Answer a = co_await ask_quorum(ctx, from, request, timeout);
  if (a && std::holds_alternative<Resp>(*a)) co_return std::get<Resp>(std::move(*a));
  Resp none;
  none.error = ctx.shard.broker().quorum_configured() ? ErrorCode::request_timed_out : ErrorCode::inconsistent_voter_set;
  co_return none;
}

template <typename WireResp>
HandlerStatus respond(RequestContext& ctx, const WireResp& resp, protocol::Writer& out) {
  note_error_code(ctx, resp.error_code);
  resp.encode(out, ctx.api_version);
  return HandlerStatus::respond;
}

}  // namespace

bool is_metadata_fetch(const protocol::FetchRequest& req, int16_t version) {
  if (req.topics.size() != 1) return false;
  const auto& t = req.topics.front();
  return version >= 13 ? t.topic_id == rw::metadata_topic_id() : t.topic == rw::kMetadataTopic;
}

io::Task<HandlerStatus> vote(RequestContext& ctx, protocol::Reader& body, protocol::Writer& out) {
  protocol::VoteRequest req;
  if (!req.decode(body, ctx.api_version)) co_return HandlerStatus::close;
  raft::VoteResponse answer;
  answer.error = ErrorCode::invalid_request;
  if (auto msg = rw::from_wire(req)) {
    answer.prevote = msg->prevote;
    if (!rw::addressed_to(req.voter_id, ctx.shard.broker().config().node_id)) {
      answer.error = ErrorCode::invalid_voter_key;
    } else {
      NodeId from = msg->candidate_id;
      raft::Message m = std::move(*msg);
      answer = co_await answer_of<raft::VoteResponse>(ctx, from, m, kAnswerTimeout);
    }
  }
  co_return respond(ctx, rw::to_wire(answer), out);
}

io::Task<HandlerStatus> begin_quorum_epoch(RequestContext& ctx, protocol::Reader& body, protocol::Writer& out) {
  protocol::BeginQuorumEpochRequest req;
  if (!req.decode(body, ctx.api_version)) co_return HandlerStatus::close;
  raft::BeginQuorumEpochResponse answer;
  answer.error = ErrorCode::invalid_request;
  if (auto msg = rw::from_wire(req)) {
    if (!rw::addressed_to(req.voter_id, ctx.shard.broker().config().node_id)) {
      answer.error = ErrorCode::invalid_voter_key;
    } else {
      NodeId from = msg->leader_id;
      raft::Message m = std::move(*msg);
      answer = co_await answer_of<raft::BeginQuorumEpochResponse>(ctx, from, m, kAnswerTimeout);
    }
  }
  co_return respond(ctx, rw::to_wire(answer), out);
}

io::Task<HandlerStatus> end_quorum_epoch(RequestContext& ctx, protocol::Reader& body, protocol::Writer& out) {
  protocol::EndQuorumEpochRequest req;
  if (!req.decode(body, ctx.api_version)) co_return HandlerStatus::close;
  raft::EndQuorumEpochResponse answer;
  answer.error = ErrorCode::invalid_request;
  if (auto msg = rw::from_wire(req, ctx.api_version)) {
    NodeId from = msg->leader_id;
    raft::Message m = std::move(*msg);
    answer = co_await answer_of<raft::EndQuorumEpochResponse>(ctx, from, m, kAnswerTimeout);
  }
  co_return respond(ctx, rw::to_wire(answer), out);
}

io::Task<HandlerStatus> metadata_fetch(RequestContext& ctx, const protocol::FetchRequest& req, protocol::Writer& out) {
  raft::FetchResponse answer;
  auto msg = rw::from_wire(req, ctx.api_version);
  if (!msg) {
    answer.error = msg.error() == rw::WireError::unsupported_version ? ErrorCode::unsupported_version
                                                                       : ErrorCode::invalid_request;
  } else {
    auto wait = std::chrono::milliseconds(std::max<int64_t>(msg->max_wait_ms, 0));
    NodeId from = msg->replica_id;
    raft::Message m = std::move(*msg);
    answer = co_await answer_of<raft::FetchResponse>(ctx, from, m, wait + kAnswerTimeout);
  }
  rw::FetchResponseFrame frame = rw::to_wire(answer, wall_ms());
  // NodeEndpoints (v16+): the named leader's controller endpoint, as Kafka always sends it, so a
  // fetcher that knows no voter yet (formatted --no-initial-controllers) can reach the leader.
  const NodeId leader = answer.current_leader.leader_id;
  if (ctx.api_version >= 16 && leader.value() >= 0) {
    Router router(ctx.shard);
    std::optional<net::PeerAddress> address =
        co_await router.on_core(Router::kControllerCore, [&](Shard& s) -> io::Task<std::optional<net::PeerAddress>> {
          quorum::QuorumDriver* d = s.broker().quorum();
          if (d == nullptr) co_return std::nullopt;
          if (leader == d->node_id()) {
            for (const auto& e : d->options().raft.endpoints) co_return net::PeerAddress{e.host, e.port};
          }
          co_return d->address_of(leader);
        });
    if (address) {
      protocol::FetchResponse::NodeEndpoint e;
      e.node_id = leader.value();
      e.host = address->host;
      e.port = address->port;
      frame.message.node_endpoints.push_back(std::move(e));
    }
  }
  note_error_code(ctx, frame.message.error_code);
  if (!frame.message.responses.empty() && !frame.message.responses.front().partitions.empty()) {
    note_error_code(ctx, frame.message.responses.front().partitions.front().error_code);
  }
  frame.message.encode(out, ctx.api_version);
  co_return HandlerStatus::respond;
}

io::Task<HandlerStatus> fetch_snapshot(RequestContext& ctx, protocol::Reader& body, protocol::Writer& out) {
  protocol::FetchSnapshotRequest req;
  if (!req.decode(body, ctx.api_version)) co_return HandlerStatus::close;
  raft::FetchSnapshotResponse answer;
  answer.error = ErrorCode::invalid_request;
  if (auto msg = rw::from_wire(req)) {
    answer.snapshot_id = msg->snapshot_id;
    NodeId from = msg->replica_id;
    raft::Message m = std::move(*msg);
    answer = co_await answer_of<raft::FetchSnapshotResponse>(ctx, from, m, kAnswerTimeout);
  }
  // The wire struct points into answer.bytes, which lives until the encode below.
  protocol::FetchSnapshotResponse resp = rw::to_wire(answer);
  note_error_code(ctx, resp.error_code);
  if (!resp.topics.empty() && !resp.topics.front().partitions.empty()) {
    note_error_code(ctx, resp.topics.front().partitions.front().error_code);
  }
  resp.encode(out, ctx.api_version);
  co_return HandlerStatus::respond;
}

io::Task<HandlerStatus> describe_quorum(RequestContext& ctx, protocol::Reader& body, protocol::Writer& out) {
  protocol::DescribeQuorumRequest req;
  if (!req.decode(body, ctx.api_version)) co_return HandlerStatus::close;
  if (!rw::check_describe_quorum(req)) {
    protocol::DescribeQuorumResponse resp;
    resp.error_code = wire(ErrorCode::invalid_request);
    co_return respond(ctx, resp, out);
  }
  // Ask the local driver; when it is not the leader, the leader it names.
  struct Local {
    Result<raft::QuorumDescription, ErrorCode> description = Unexpected(ErrorCode::not_leader_or_follower);
    NodeId leader{-1};
    bool configured = false;
    std::vector<config::QuorumVoter> voters;
  };
  Router router(ctx.shard);
  Local local = co_await router.on_core(Router::kControllerCore, [&](Shard& s) -> io::Task<Local> {
    Local l;
    if (quorum::QuorumDriver* d = s.broker().quorum()) {
      l.configured = true;
      l.description = d->describe();
      l.leader = d->status().leader_id;
      l.voters = d->current_voters();
      // Directory ids (v2): the voter set knows the voters'.
      if (l.description) {
        for (auto& r : l.description->current_voters) {
          if (const raft::Voter* v = d->voter_set().find(r.replica_id)) r.directory_id = v->directory_id;
        }
      }
    }
    co_return l;
  });
  protocol::DescribeQuorumResponse resp;
  if (local.configured && !local.description && local.leader.value() >= 0 &&
      local.leader != ctx.shard.broker().config().node_id) {
    // Forward to the leader's controller endpoint and relay its answer byte for byte.
    std::vector<uint8_t> fwd;
    protocol::Writer w(fwd);
    req.encode(w, ctx.api_version);
    const int16_t version = ctx.api_version;
    const NodeId leader = local.leader;
    std::optional<std::vector<uint8_t>> relayed = co_await router.on_core(
        Router::kControllerCore, [&](Shard& s) -> io::Task<std::optional<std::vector<uint8_t>>> {
          quorum::QuorumDriver* d = s.broker().quorum();
          net::PeerClient* client = d == nullptr ? nullptr : d->peer(leader);
          if (client == nullptr || client->closed()) co_return std::nullopt;
          auto r = co_await client->call(protocol::DescribeQuorumRequest::kApiKey, version,
                                                          std::move(fwd), io::Clock::now() + kAnswerTimeout);
          if (!r) co_return std::nullopt;
          std::span<const uint8_t> b = r.value().body();
          co_return std::vector<uint8_t>(b.begin(), b.end());
        });
    if (relayed) {
      out.write_raw(relayed->data(), relayed->size());
      co_return HandlerStatus::respond;
    }
  }
  if (!local.configured) {
    // Not a controller: Kafka's answer when no raft client runs here.
    resp.error_code = wire(ErrorCode::not_leader_or_follower);
  } else {
    auto now_mono = std::chrono::duration_cast<std::chrono::milliseconds>(io::Clock::now().time_since_epoch()).count();
    resp = rw::describe_quorum_response(local.description, rw::Clocks{now_mono, wall_ms()});
    // v2: every voter's controller endpoint, so the tool can print it.
    const quorum::QuorumOptions* options = ctx.shard.broker().quorum_options();
    if (options != nullptr && local.description) {
      for (const config::QuorumVoter& v : local.voters) {
        protocol::DescribeQuorumResponse::Node node;
        node.node_id = v.id.value();
        protocol::DescribeQuorumResponse::Node::Listener l;
        l.name = options->listener_name;
        l.host = v.host;
        l.port = static_cast<uint16_t>(v.port);
        node.listeners.push_back(std::move(l));
        resp.nodes.push_back(std::move(node));
      }
    }
  }
  co_return respond(ctx, resp, out);
}

}  // namespace runnel::server::handlers
