#pragma once

// raft::Replica: one member of the KRaft metadata quorum as a deterministic state machine.
//
// It does no I/O, starts no threads and reads no clock. Its owner feeds it inputs and carries out
// its outputs:
//
//   inputs   tick(now)             time passes (timeouts fire here)
//            receive(now, msg)     a KRaft request or response arrived
//            propose(now, records) the state machine wants records appended (leader only)
//            on_persisted(seq)     the persistence requests up to `seq` are durable
//            snapshot_created(s)   the state machine's snapshot at a committed offset is durable:
//                                  the log before it may go (a TrimPrefix request)
//   outputs  take_ready()          persistence requests to carry out in order, messages to send,
//                                  and the new high watermark when it moved
//
// The same object runs on io_uring in the broker and inside tests/unit/raft's simulation, where a
// fake clock, network and disk drive thousands of random schedules.
//
// Durability before speech: every message is held until all persistence requests issued before
// it are durable. So a vote is granted only once voted-for is on disk, a follower's fetch offset
// (its acknowledgement) is only sent once those records are flushed, and a new leader announces
// itself only once its epoch is recorded. A kill -9 or a power cut can lose unreported work, but
// never anything another node was told. The one exception is the leader's FetchResponse, which
// waits for the leader's epoch only, so records reach followers while the leader's own flush runs;
// that is why the leader counts itself towards the high watermark with its durable end offset
// only (`durable_end_offset()`).
//
// Thread safety: none; one owner calls everything. Remote input (receive) never trips an
// assertion: a malformed or misrouted message is answered with Kafka's error or dropped.

#include <deque>
#include <optional>
#include <string>
#include <vector>

#include "broker/model/error_code.h"
#include "broker/model/result.h"
#include "broker/raft/config.h"
#include "broker/raft/leader_state.h"
#include "broker/raft/log.h"
#include "broker/raft/messages.h"
#include "broker/raft/persistence.h"
#include "broker/raft/quorum_state.h"
#include "broker/raft/random.h"
#include "broker/raft/vote_tally.h"
#include "broker/raft/voter_set.h"

namespace runnel::raft {

struct Ready {
  std::vector<PersistRequest> persist;  // carry out in order, then call on_persisted
  std::vector<Envelope> messages;       // safe to send: everything they depend on is durable
  // Set when a follower installed the leader's snapshot: the state machine must replace its state
  // with this snapshot's before it applies records again, which then continue at its end offset.
  // Comes before the high_watermark of the same Ready, which is at least the snapshot's end.
  std::optional<Snapshot> snapshot_installed;
  std::optional<Offset> high_watermark;  // set when it advanced; records below it are committed
};

// Why propose() refused: Kafka's NOT_LEADER_OR_FOLLOWER with the leader to try instead.
struct NotLeader {
  ErrorCode error = ErrorCode::not_leader_or_follower;
  NodeId leader_hint{-1};
  LeaderEpoch epoch{0};
};

// DescribeQuorum (api key 55) as the leader answers it.
struct ReplicaDescription {
  NodeId replica_id{-1};
  Offset log_end_offset{-1};
  int64_t last_fetch_timestamp = -1;
  int64_t last_caught_up_timestamp = -1;
  Uuid directory_id;  // zero when unknown (the owner fills the voters' from the voter set)
};

struct QuorumDescription {
  NodeId leader_id{-1};
  LeaderEpoch leader_epoch{0};
  Offset high_watermark{0};
  std::vector<ReplicaDescription> current_voters;
  std::vector<ReplicaDescription> observers;
};

class Replica {
 public:
  Replica(RaftConfig config, DurableState recovered, int64_t now_ms, uint64_t seed);

  void tick(int64_t now_ms);
  void receive(int64_t now_ms, const Envelope& envelope);
  Result<OffsetRange, NotLeader> propose(int64_t now_ms, const std::vector<std::string>& records);
  void on_persisted(uint64_t seq);
  Ready take_ready();
  // A leader that shuts down gracefully hands over: it resigns and sends EndQuorumEpoch, so the
  // voters elect a successor at once instead of waiting out the fetch timeout. No-op otherwise.
  void step_down(int64_t now_ms);
  // The owner made a snapshot of its state machine after every record below `id.offset` durable;
  // `id.epoch` is the epoch of the record before that offset. It must be committed (at most the
  // high watermark; asserted). The log is then trimmed to the snapshot before it (TrimPrefix),
  // which becomes the one served to fetchers behind the log start: as in Kafka, the log reaches
  // back past the newest snapshot, so a follower a little behind at the moment of a snapshot
  // still gets records rather than a whole snapshot. A snapshot not past the newest one (or the
  // log start) is stale and ignored.
  void snapshot_created(OffsetAndEpoch id, SnapshotBytes bytes);
  // The owner's transport lost `peer`: a connection to it ended mid-request, or (`refused`) a
  // connection attempt was refused, which means no process listens there any more (kill -9, a
  // crash). For the leader of a follower: the fetch is resent at once, and a refusal makes the
  // leader dead to this node: it grants pre-votes and stands without waiting out the fetch
  // timeout. Only a hint: pre-votes still need a majority that also lost the leader, so one
  // follower's bad link never deposes a leader the others hear from.
  void peer_unreachable(int64_t now_ms, NodeId peer, bool refused);

  Role role() const { return role_; }
  LeaderEpoch epoch() const { return quorum_.epoch; }
  NodeId leader_id() const { return quorum_.leader_id; }
  NodeId voted_for() const { return quorum_.voted_for; }
  NodeId node_id() const { return config_.node_id; }
  bool is_voter() const { return voter_; }
  Offset high_watermark() const { return high_watermark_; }
  Offset durable_end_offset() const { return durable_end_; }
  const RaftLog& log() const { return log_; }
  // The snapshot the log starts at (served with FetchSnapshot): loaded at start, installed from
  // the leader, or the one before the newest the owner made; absent at first.
  const Snapshot& latest_snapshot() const { return snapshot_; }
  // The newest snapshot the owner made or the replica installed (the log reaches back past it).
  const Snapshot& newest_snapshot() const { return newest_; }
  Result<QuorumDescription, ErrorCode> describe_quorum() const;

  // The voter set in force (voter_changes.cc): the newest VotersRecord of the log, else the one in
  // the snapshot the log starts at, else the configuration's (static voters or bootstrap voters).
  const VoterSet& voters() const { return voter_history_.back().set; }
  // What a snapshot whose end offset is `end` records as its voters: the set in force for the
  // records below `end`. nullopt in a static quorum, which records none.
  std::optional<VoterSet> voters_at(Offset end) const;
  // Kafka's kraft.version: 1 for a dynamic quorum (voters change through the log), 0 for a static one.
  int16_t kraft_version() const { return config_.dynamic ? 1 : 0; }

 private:
  // transitions.cc: one function per target role; each persists what it must first.
  void become_unattached(LeaderEpoch epoch);
  void become_follower(LeaderEpoch epoch, NodeId leader);
  void become_prospective();
  void become_candidate();
  void become_leader();
  void resign();
  void back_off_after_lost_election();
  // A message from a newer epoch: leave ours (following `leader` if the message names one).
  void enter_epoch(LeaderEpoch epoch, NodeId leader);

  // election.cc
  void on_vote_request(NodeId from, const VoteRequest& request);
  void on_vote_response(NodeId from, const VoteResponse& response);
  bool log_is_up_to_date(LeaderEpoch last_epoch, Offset last_offset) const;
  bool leader_is_alive() const;
  void send_vote_requests(bool prevote);

  // quorum_epoch.cc
  void on_begin_quorum_epoch(NodeId from, const BeginQuorumEpochRequest& request);
  void on_begin_quorum_epoch_response(NodeId from, const BeginQuorumEpochResponse& response);
  void on_end_quorum_epoch(NodeId from, const EndQuorumEpochRequest& request);
  void on_end_quorum_epoch_response(NodeId from, const EndQuorumEpochResponse& response);
  void tell_voters_of_epoch();
  // Why a leader's Begin/EndQuorumEpoch is refused: Kafka's error, or none.
  ErrorCode leader_request_error(NodeId from, const std::string& cluster_id, NodeId leader, LeaderEpoch epoch) const;

  // replication.cc (leader side) and follower.cc (fetcher side)
  void on_fetch_request(NodeId from, const FetchRequest& request);
  // Kafka's error for a Fetch or FetchSnapshot to this node from `from`, or none when we lead.
  ErrorCode fetcher_error(NodeId from, const std::string& cluster_id, NodeId replica_id, LeaderEpoch epoch) const;
  FetchResponse fetch_response(const FetchRequest& request, const FetchPosition& position) const;
  void answer_parked_fetches(bool expired_only);
  void update_high_watermark();
  void on_fetch_response(NodeId from, const FetchResponse& response);
  // Records that continue our log: contiguous from its end, epochs not decreasing nor newer than ours.
  bool records_fit(const std::vector<Entry>& records) const;
  void send_fetch(NodeId to);
  void tick_follower();
  void tick_observer_without_leader();
  void observer_lost_leader();

  // snapshots.cc: serving FetchSnapshot (leader) and fetching, then installing, a snapshot.
  void on_fetch_snapshot_request(NodeId from, const FetchSnapshotRequest& request);
  void on_fetch_snapshot_response(NodeId from, const FetchSnapshotResponse& response);
  void start_snapshot_fetch(OffsetAndEpoch id);
  void send_fetch_snapshot(NodeId to);
  void install_fetched_snapshot();

  // voter_changes.cc: the voter set's history along the log, and AddRaftVoter, RemoveRaftVoter and
  // UpdateRaftVoter on the leader (one change at a time, answered once committed).
  void on_add_voter(NodeId from, const AddVoterRequest& request);
  void on_remove_voter(NodeId from, const RemoveVoterRequest& request);
  void on_update_voter(NodeId from, const UpdateVoterRequest& request);
  void on_voter_change_response(NodeId from, const VoterChangeResponse& response);
  // Kafka's error (and message) for a voter change that cannot start now, or none.
  // `what`: "adding", "removing" or "updating", for Kafka's message.
  ErrorCode voter_change_refusal(const std::string& what, std::string& message) const;
  // The listener voters must have an endpoint on: this node's first controller listener.
  std::string default_listener() const;
  bool has_default_listener(const Voter& v) const;
  void append_voters(VoterSet next);
  void answer_voter_change(ErrorCode error, std::string message);
  // Answers a pending change that committed (or timed out); a leader that removed itself resigns.
  void settle_voter_change();
  bool voters_recorded() const { return voter_history_.size() > 1 || base_voters_recorded_; }
  void note_voters_appended(const Entry& entry);
  void forget_voters_from(Offset end);
  void forget_voters_below(Offset start);
  void reset_voters(std::optional<VoterSet> from_snapshot);
  void voters_changed();
  // Whether this node stands for election when it hears from no leader: a voter, or a voter of
  // the committed set whose removal is not committed yet (see voter_changes.cc).
  bool may_stand() const;
  void update_own_endpoints_if_stale();

  // replica.cc: the clock, persistence and the outbox.
  void advance_clock(int64_t now_ms);
  void persist_quorum_state();
  void append_to_log(std::vector<Entry> entries);
  void truncate_log(Offset end_offset);
  void leave_role();
  uint64_t issue(PersistOp op);
  void send(NodeId to, Message message);
  // A leader's FetchResponse depends on its epoch being durable, not on its own appends: the
  // records go out while the leader's flush runs, as in Kafka, and the leader counts itself
  // with its durable end only.
  void send_records(NodeId to, FetchResponse response);
  void set_high_watermark(Offset offset);
  void release_messages();
  int64_t random_election_timeout();
  bool voter(NodeId id) const;
  // The leader we tell others about. A node that led this epoch but no longer leads it
  // (resigned, or restarted) does not name itself.
  LeaderIdAndEpoch current_leader() const {
    bool stale_self = quorum_.leader_id == config_.node_id && role_ != Role::leader;
    return {stale_self ? kNoNode : quorum_.leader_id, quorum_.epoch};
  }
  // Kafka's error for a request that names epoch `epoch`, or none when it is ours.
  ErrorCode epoch_error(LeaderEpoch epoch) const;

  RaftConfig config_;
  bool voter_;
  Random random_;
  int64_t now_ms_;

  QuorumStateData quorum_;
  Role role_ = Role::unattached;
  RaftLog log_;
  Offset high_watermark_{0};
  Offset durable_end_{0};

  // Timers. One deadline per role: election (unattached, prospective, candidate, resigned),
  // fetch (follower), check-quorum is LeaderState's.
  int64_t election_deadline_ms_ = 0;
  int64_t fetch_deadline_ms_ = 0;

  std::optional<VoteTally> tally_;    // prospective, candidate
  std::optional<LeaderState> leader_;  // leader
  // Follower: the fetch in flight, if any, and when the leader last answered one.
  bool fetch_in_flight_ = false;
  int64_t fetch_sent_ms_ = 0;
  int64_t last_leader_contact_ms_ = -1;
  bool leader_resigned_ = false;  // the leader we follow sent EndQuorumEpoch for this epoch
  int64_t next_fetch_ms_ = 0;  // backoff after an error answer
  int64_t lost_elections_ = 0;  // in a row; the election backoff doubles with each

  // The newest snapshot, which a leader serves. A follower told to fetch one (a FetchResponse
  // with a snapshot id) reads it chunk by chunk into `snapshot_fetch_` instead of fetching
  // records, then installs it; any change of role or leader abandons it.
  Snapshot snapshot_;
  Snapshot newest_;  // snapshot_, or a newer one the log will be trimmed to at the next snapshot
  struct SnapshotFetch {
    OffsetAndEpoch id;
    int64_t size = -1;  // -1 until the first answer says it
    std::vector<uint8_t> bytes;
  };
  std::optional<SnapshotFetch> snapshot_fetch_;

  // The voter set along the log: the base (offset -1: from the configuration, or from the snapshot
  // the log starts at when `base_voters_recorded_`), then one element per voters entry of the log,
  // at its offset. Truncation and trimming keep it in step with the log.
  struct VotersAt {
    Offset offset{-1};
    VoterSet set;
  };
  std::vector<VotersAt> voter_history_;
  bool base_voters_recorded_ = false;
  bool may_stand_ = false;  // may_stand() when the voter set last changed
  // Leader: the voter change in flight, answered when its entry commits or at its deadline.
  struct VoterChange {
    NodeId requester{-1};
    int16_t api_key = 0;
    Offset offset{-1};
    int64_t deadline_ms = 0;
  };
  std::optional<VoterChange> voter_change_;
  int64_t next_update_voter_ms_ = 0;  // follower: when to ask the leader again to update our endpoints

  // Persistence bookkeeping: requests issued but not reported durable, with the log end offset
  // each leaves on disk (lowered by later truncations, so it is always a prefix of the memory log).
  struct Pending {
    uint64_t seq;
    Offset end_after;
  };
  uint64_t next_seq_ = 1;
  uint64_t persisted_seq_ = 0;
  uint64_t quorum_state_seq_ = 0;  // the last quorum-state write
  std::deque<Pending> pending_;

  // The outbox: a message waits until persistence up to `after` is durable.
  struct Held {
    uint64_t after;
    Envelope envelope;
  };
  std::deque<Held> outbox_;
  Ready ready_;
  Offset reported_high_watermark_{0};
};

}  // namespace runnel::raft
