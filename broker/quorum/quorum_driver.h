#pragma once

// QuorumDriver: runs one raft::Replica (the KRaft metadata quorum member of this node) on one
// ring, and carries out everything the replica asks for.
//
//   time      a 10 ms tick loop calls Replica::tick
//   network   outbound KRaft requests go to the other voters through one net::PeerClient each
//             (their controller listeners, from controller.quorum.voters); inbound requests come
//             from the KRaft handlers (server/handlers/quorum_rpcs.cc) through handle(), which
//             waits for the replica's answer to that request
//   disk      persistence requests run in order on a persist loop: the quorum-state file on a
//             helper thread (it is a few writes per election), appends and truncations of the
//             __cluster_metadata-0 segment through the ring, one fdatasync per group; then
//             Replica::on_persisted. Snapshot files are written on a helper thread (the
//             controller's, save_snapshot; the leader's, InstallSnapshot), and the log trimmed
//             behind them by rolling to a new segment
//
// After every input the driver takes the replica's Ready and routes it: persistence to the
// persist loop, requests to peers, responses to the handler waiting for them, the high
// watermark to whoever watches the committed log (the metadata applier, next).
//
// Threading: everything runs on the ring that constructed it (shard 0 in the broker); other
// cores reach it through the router. Lifetime: start() spawns the loops under the driver's own
// task group; stop() ends them, answers every waiting handler with "no answer", closes the peer
// clients, and returns once nothing the driver started is alive. The destructor asserts that
// stop() ran.

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "broker/config/quorum_voters.h"
#include "broker/io/abort_source.h"
#include "broker/io/ring.h"
#include "broker/io/task.h"
#include "broker/io/task_group.h"
#include "broker/io/wakeup.h"
#include "broker/model/result.h"
#include "broker/net/peer_client.h"
#include "broker/raft/in_flight.h"
#include "broker/raft/log_store.h"
#include "broker/raft/replica.h"
#include "broker/raft/snapshot_store.h"
#include "broker/storage/files.h"

namespace runnel::quorum {

struct QuorumOptions {
  raft::RaftConfig raft;
  std::vector<config::QuorumVoter> voters;  // every voter's controller endpoint (self included)
  // controller.quorum.bootstrap.servers: asked for the leader by a node that knows no voter
  // (formatted --no-initial-controllers); the replica names them -2, -3, ... (raft.bootstrap_servers).
  std::vector<net::PeerAddress> bootstrap_servers;
  std::string listener_name = "CONTROLLER";  // DescribeQuorum v2 reports it with each voter's endpoint
  std::string partition_dir;                 // <metadata.log.dir>/__cluster_metadata-0
  std::string client_id = "raft-client";
  uint64_t seed = 0;  // jitter; 0: random
};

// What start-up recovery found, handed to the driver on its ring.
struct Recovered {
  raft::DurableState state;
  std::unique_ptr<raft::MetadataLogStore> log;
  int dir_fd = -1;  // the partition directory, owned by the driver from then on
};

// Blocking, before any ring serves: creates the partition directory if needed, reads
// quorum-state, the newest valid snapshot and the log after it (truncating a torn tail). The
// message names the file and the step.
Result<Recovered, std::string> recover(const QuorumOptions& options);

// The quorum as the admin API and the metrics see it.
struct QuorumStatus {
  NodeId node_id{-1};
  raft::Role role = raft::Role::unattached;
  NodeId leader_id{-1};
  LeaderEpoch epoch{0};
  Offset high_watermark{0};
  Offset log_end_offset{0};
  bool failed = false;  // a metadata log write failed: the node stopped taking part
};

class QuorumDriver {
 public:
  QuorumDriver(io::Ring& ring, storage::Files& files, QuorumOptions options, Recovered recovered);
  ~QuorumDriver();
  QuorumDriver(const QuorumDriver&) = delete;
  QuorumDriver& operator=(const QuorumDriver&) = delete;

  void start();
  // A leader hands over first (EndQuorumEpoch, waiting up to `handover` for it to be sent);
  // then everything stops (see above).
  io::Task<void> stop(std::chrono::milliseconds handover);

  // An inbound KRaft request from node `from`: hands it to the replica and returns its answer,
  // or nothing when the replica gives none within `timeout` (a superseded parked Fetch, a
  // request from ourselves, shutdown).
  io::Task<std::optional<raft::Message>> handle(NodeId from, raft::Message request, std::chrono::milliseconds timeout);

  Result<raft::QuorumDescription, ErrorCode> describe() const { return replica_.describe_quorum(); }
  QuorumStatus status() const;
  const QuorumOptions& options() const { return options_; }
  // The client of voter `id`'s controller endpoint for everything but the raft RPCs
  // (forwarded admin requests, broker registration and heartbeats, DescribeQuorum), or null
  // (ourselves, unknown). The raft RPCs have connections of their own, so a Fetch never queues
  // behind a forwarded CreateTopics that waits for its commit (Kafka keeps the raft client and
  // the broker-to-controller channel apart too).
  net::PeerClient* peer(NodeId id);
  // Where node `id` (a voter, a leader named in a Fetch answer, or a bootstrap server) listens
  // for controller requests, if known: the static voters, the voter set of the log (its
  // endpoint on our controller listener), endpoints learned from Fetch answers (NodeEndpoints).
  std::optional<net::PeerAddress> address_of(NodeId id) const;
  // The voters now, with their controller endpoints: the static ones, or the log's voter set.
  std::vector<config::QuorumVoter> current_voters() const;
  const raft::VoterSet& voter_set() const { return replica_.voters(); }
  // A source id for an administrator's request (AddRaftVoter, RemoveRaftVoter), unlike any node's.
  NodeId next_admin_source() { return NodeId{next_admin_source_--}; }
  // What a snapshot of the records below `end` records as the voters (a dynamic quorum's).
  std::optional<raft::VoterSet> voters_at(Offset end) const { return replica_.voters_at(end); }
  // A Fetch answer named node `id` as the leader, reachable at `address` (NodeEndpoints).
  void learn_endpoint(NodeId id, net::PeerAddress address) { learned_[id.value()] = std::move(address); }
  NodeId node_id() const { return options_.raft.node_id; }
  io::Ring& ring() { return ring_; }
  bool stopped() const { return stopping_; }
  // The high watermark last reported by the replica: records below it are committed.
  Offset committed() const { return committed_; }
  // Appends records on the leader: their offsets, or the leader to go to instead.
  Result<raft::OffsetRange, raft::NotLeader> propose(const std::vector<std::string>& records);
  // Whether this node leads the quorum and everything of earlier epochs is committed (its own
  // LeaderChange record is below the high watermark): only then may a controller decide on
  // the committed state, as Kafka's active controller waits to replay the log first.
  bool leader_ready() const;
  // Called on the driver's ring after any input that moved the high watermark or changed the
  // role or epoch (the controller applies and answers from there). One listener.
  void set_listener(std::function<void()> listener) { listener_ = std::move(listener); }
  const raft::RaftLog& log() const { return replica_.log(); }

  // Snapshots (quorum_snapshots.cc). The state machine's snapshot after every record below
  // `id.offset` (committed) is written to `<id>.checkpoint` on a helper thread; then the replica
  // hears of it and trims the log behind it. False when the write failed (logged).
  io::Task<bool> save_snapshot(raft::OffsetAndEpoch id, raft::SnapshotBytes bytes);
  // The newest snapshot: loaded at start, saved here, or installed from the leader.
  const raft::Snapshot& latest_snapshot() const { return replica_.latest_snapshot(); }
  // The leader's snapshot that this follower installed since the last call, if any: the state
  // machine must start over from it (its records below the snapshot are gone from the log).
  std::optional<raft::Snapshot> take_installed_snapshot() { return std::exchange(installed_, std::nullopt); }

 private:
  // A handler waiting in handle() for the replica's answer to its request.
  struct Waiter {
    explicit Waiter(io::Ring& ring) : wake(ring) {}
    io::Wakeup wake;
    std::optional<raft::Message> answer;
    bool answered = false;
  };

  io::Task<void> tick_loop();
  io::Task<void> persist_loop();
  io::Task<void> send_request(NodeId to, raft::Message request);
  // One request to voter `to` and its decoded answer, or nothing (transport failure, a
  // malformed answer, no such peer).
  io::Task<std::optional<raft::Message>> exchange(NodeId to, const raft::Message& request);
  // Takes the replica's Ready and routes it; call after every input.
  void process_ready();
  void deliver_response(NodeId to, raft::Message response);
  // A response from a peer (or, from handle(), a request): into the replica, then its Ready.
  void receive(NodeId from, raft::Message message);
  int64_t now_ms() const;
  std::string voters_string() const;

  io::Ring& ring_;
  storage::Files& files_;
  QuorumOptions options_;
  std::unique_ptr<raft::MetadataLogStore> log_;
  int dir_fd_ = -1;
  raft::Replica replica_;
  raft::InFlightRequests in_flight_;
  net::PeerClient* raft_peer(NodeId id);
  std::map<int32_t, std::unique_ptr<net::PeerClient>> peers_;          // raft RPCs
  std::map<int32_t, std::unique_ptr<net::PeerClient>> control_peers_;  // see peer()
  net::PeerClient* client_for(std::map<int32_t, std::unique_ptr<net::PeerClient>>& peers, NodeId id, bool control);
  std::map<int32_t, net::PeerAddress> learned_;  // see learn_endpoint()
  int32_t next_admin_source_ = -1000;

  // Persistence requests not yet carried out, in order.
  std::deque<raft::PersistRequest> to_persist_;
  io::Wakeup persist_wakeup_{ring_};
  bool failed_ = false;

  // Handlers waiting for the replica's answer, by (source node, api key), oldest first.
  std::map<std::pair<int32_t, int16_t>, std::deque<Waiter*>> waiters_;

  Offset committed_{0};
  std::optional<raft::Snapshot> installed_;  // see take_installed_snapshot()
  std::function<void()> listener_;
  raft::Role last_role_ = raft::Role::unattached;
  LeaderEpoch last_epoch_{0};

  // Graceful stop of a leader: the EndQuorumEpoch sends still going, and their waiter.
  bool handing_over_ = false;
  int handover_sends_ = 0;
  bool handover_sent_ = false;  // the EndQuorumEpoch requests have left the replica's outbox
  io::Wakeup handover_done_{ring_};

  bool started_ = false;
  bool stopping_ = false;
  io::AbortSource stop_{ring_};
  io::TaskGroup tasks_;
};

}  // namespace runnel::quorum
