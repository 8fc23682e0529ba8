// QuorumDriver, outbound: a request the replica sends goes to the destination voter's
// PeerClient at the version of wire.h; its answer is decoded, matched to the request in the
// in-flight table (for the echo fields) and fed back to the replica. A request that fails in
// the transport is forgotten: the replica resends on its own timers.
#include <cerrno>

#include "broker/log/log.h"
#include "broker/quorum/message_keys.h"
#include "broker/quorum/quorum_driver.h"
#include "broker/raft/wire.h"
#include "broker/raft/wire_fetch_snapshot.h"
#include "broker/protocol/generated/update_raft_voter_request.h"
#include "broker/protocol/generated/update_raft_voter_response.h"

namespace runnel::quorum {

namespace {

namespace wire = raft::wire;

}  // namespace

io::Task<void> QuorumDriver::send_request(NodeId to, raft::Message request) {
  const bool end_epoch = std::holds_alternative<raft::EndQuorumEpochRequest>(request) && handing_over_;
  std::optional<raft::Message> answer = co_await exchange(to, request);
  if (answer) {
    // A peer of another cluster never joins, silently from the core's point of view: say why,
    // as Kafka's raft client logs "Unexpected error INCONSISTENT_CLUSTER_ID in ... response".
    ErrorCode error = std::visit([](const auto& m) {
      if constexpr (requires { m.error; }) return m.error;
      return ErrorCode::none;
    }, *answer);
    if (error == ErrorCode::inconsistent_cluster_id) {
      RUNNEL_LOG_LIMITED(error, "metadata quorum: unexpected error INCONSISTENT_CLUSTER_ID in a response from node %d: "
                                "it belongs to another cluster than %s",
                         to.value(), options_.raft.cluster_id.c_str());
    }
    receive(to, std::move(*answer));
  }
  if (end_epoch && --handover_sends_ == 0) handover_done_.wake();
}

io::Task<std::optional<raft::Message>> QuorumDriver::exchange(NodeId to, const raft::Message& request) {
  net::PeerClient* client = raft_peer(to);
  if (client == nullptr || client->closed()) co_return std::nullopt;
  const int16_t key = api_key_of(request);
  std::optional<uint64_t> id = in_flight_.add(to, request, now_ms());
  if (!id) co_return std::nullopt;  // table full: the replica's timers resend
  auto timeout = std::chrono::milliseconds(options_.raft.request_timeout_ms);
  std::optional<raft::Message> decoded;

  if (const auto* vote = std::get_if<raft::VoteRequest>(&request)) {
    protocol::VoteRequest w = wire::to_wire(*vote, to);
    auto r = co_await client->call<protocol::VoteResponse>(w, wire::kVoteVersion, io::Clock::now() + timeout);
    std::optional<raft::InFlight> echo = in_flight_.take(*id, to, key);
    if (r && echo) {
      if (auto m = wire::from_wire(*r, echo->prevote)) decoded = std::move(*m);
    }
  } else if (const auto* begin = std::get_if<raft::BeginQuorumEpochRequest>(&request)) {
    protocol::BeginQuorumEpochRequest w = wire::to_wire(*begin, to);
    auto r = co_await client->call<protocol::BeginQuorumEpochResponse>(w, wire::kBeginQuorumEpochVersion,
                                                                      io::Clock::now() + timeout);
    std::optional<raft::InFlight> echo = in_flight_.take(*id, to, key);
    if (r && echo) {
      if (auto m = wire::from_wire(*r)) decoded = std::move(*m);
    }
  } else if (const auto* end = std::get_if<raft::EndQuorumEpochRequest>(&request)) {
    protocol::EndQuorumEpochRequest w = wire::to_wire(*end);
    auto r = co_await client->call<protocol::EndQuorumEpochResponse>(w, wire::kEndQuorumEpochVersion,
                                                                    io::Clock::now() + timeout);
    std::optional<raft::InFlight> echo = in_flight_.take(*id, to, key);
    if (r && echo) {
      if (auto m = wire::from_wire(*r)) decoded = std::move(*m);
    }
  } else if (const auto* fetch = std::get_if<raft::FetchRequest>(&request)) {
    // The leader may park a Fetch for its max wait before answering.
    auto deadline = io::Clock::now() + timeout + std::chrono::milliseconds(fetch->max_wait_ms);
    protocol::FetchRequest w = wire::to_wire(*fetch);
    std::vector<uint8_t> body;
    protocol::Writer writer(body);
    w.encode(writer, wire::kFetchVersion);
    // Raw call: the decoded response points into the frame (RecordsRef), so the records are
    // turned into entries while the frame is alive.
    auto raw = co_await client->call(protocol::FetchRequest::kApiKey, wire::kFetchVersion,
                                                      std::move(body), deadline);
    std::optional<raft::InFlight> echo = in_flight_.take(*id, to, key);
    if (!raw && (raw.error() == net::NetError::disconnected || raw.error() == net::NetError::connect_failed) &&
        !stopping_) {
      // The leader's process may be gone: a refused reconnect says so at once (a kill -9 closes
      // its listener), and the replica stands without waiting out the fetch timeout.
      const bool refused =
          raw.error() == net::NetError::connect_failed && client->stats().last_connect_error == -ECONNREFUSED;
      replica_.peer_unreachable(now_ms(), to, refused);
      process_ready();
    }
    if (raw && echo) {
      std::span<const uint8_t> bytes = raw.value().body();
      protocol::Reader reader(bytes.data(), bytes.size());
      protocol::FetchResponse resp;
      if (resp.decode(reader, wire::kFetchVersion) && reader.ok()) {
        // The leader's endpoint (NodeEndpoints, Fetch v16+): how a node that knows no voter yet
        // (formatted --no-initial-controllers) reaches the leader its bootstrap server named.
        for (const auto& e : resp.node_endpoints) {
          if (e.node_id >= 0 && e.node_id != node_id().value() && !e.host.empty()) {
            learn_endpoint(NodeId{e.node_id}, net::PeerAddress{e.host, static_cast<uint16_t>(e.port)});
          }
        }
        auto m = wire::from_wire(resp, wire::kFetchVersion, echo->fetch);
        if (m) {
          decoded = std::move(*m);
        } else {
          RUNNEL_LOG(warn, "metadata quorum: a Fetch answer from node %d is not a raft message: %s", to.value(),
                     wire::wire_error_name(m.error()));
        }
      }
    }
  } else if (const auto* snap = std::get_if<raft::FetchSnapshotRequest>(&request)) {
    protocol::FetchSnapshotRequest w = wire::to_wire(*snap);
    std::vector<uint8_t> body;
    protocol::Writer writer(body);
    w.encode(writer, wire::kFetchSnapshotVersion);
    // Raw call, as for Fetch: the chunk (UnalignedRecords) points into the frame until copied.
    auto raw = co_await client->call(protocol::FetchSnapshotRequest::kApiKey, wire::kFetchSnapshotVersion,
                                     std::move(body), io::Clock::now() + timeout);
    std::optional<raft::InFlight> echo = in_flight_.take(*id, to, key);
    if (raw && echo) {
      std::span<const uint8_t> bytes = raw.value().body();
      protocol::Reader reader(bytes.data(), bytes.size());
      protocol::FetchSnapshotResponse resp;
      if (resp.decode(reader, wire::kFetchSnapshotVersion) && reader.ok()) {
        if (auto m = wire::from_wire(resp)) decoded = std::move(*m);
      }
    }
  } else if (const auto* update = std::get_if<raft::UpdateVoterRequest>(&request)) {
    protocol::UpdateRaftVoterRequest w;
    w.cluster_id = update->cluster_id;
    w.current_leader_epoch = update->current_leader_epoch.value();
    w.voter_id = update->voter.id.value();
    w.voter_directory_id = update->voter.directory_id;
    for (const auto& e : update->voter.endpoints) w.listeners.push_back({e.listener, e.host, e.port, {}});
    w.k_raft_version_feature.min_supported_version = update->voter.min_kraft_version;
    w.k_raft_version_feature.max_supported_version = update->voter.max_kraft_version;
    auto r = co_await client->call<protocol::UpdateRaftVoterResponse>(w, 0, io::Clock::now() + timeout);
    std::optional<raft::InFlight> echo = in_flight_.take(*id, to, key);
    if (r && echo) {
      raft::VoterChangeResponse m{.error = static_cast<ErrorCode>(r->error_code),
                                  .current_leader = {NodeId{r->current_leader.leader_id},
                                                     LeaderEpoch{r->current_leader.leader_epoch}},
                                  .api_key = raft::kUpdateRaftVoterApiKey};
      decoded = std::move(m);
    }
  } else {
    in_flight_.take(*id, to, key);
  }
  co_return decoded;
}

}  // namespace runnel::quorum
