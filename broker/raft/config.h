#pragma once

// Knobs of one quorum member. The timing fields are Kafka's controller.quorum.* properties with
// their defaults, so an operator who knows KRaft needs no new vocabulary.

#include <cstdint>
#include <string>
#include <vector>

#include "broker/model/named_type.h"
#include "broker/model/uuid.h"
#include "broker/raft/voter_set.h"

namespace runnel::raft {

// Protocol bugs that the simulation must catch (tests/unit/raft/sim_bugs_test.cc). Production
// never sets them: they exist only to prove that the checker has teeth. Each one removes a rule
// that the README names as load-bearing.
struct InjectedBugs {
  // Grant a vote without comparing the candidate's log with ours (Raft's up-to-date rule).
  bool vote_ignores_log = false;
  // Release messages before the state they report is durable (a vote granted before voted-for
  // is written, a fetch offset reported before the appended records are flushed).
  bool send_before_persisted = false;
  // The leader counts its in-memory log end, not its durable one, towards the high watermark.
  bool leader_counts_unflushed = false;
  // Trim the log one record past the snapshot it starts at: that record is in no snapshot and no
  // log, and a follower that installs the snapshot misses it.
  bool trim_past_snapshot = false;
  // Start a voter change while the previous one is uncommitted (two changes in flight): the old
  // and the newest voter sets then differ by two voters and their majorities need not overlap.
  bool concurrent_voter_changes = false;
};

struct RaftConfig {
  NodeId node_id{-1};         // node.id
  std::vector<NodeId> voters;  // controller.quorum.voters: the static voter set (kraft.version 0)
  std::string cluster_id;      // every request carries it; a mismatch is INCONSISTENT_CLUSTER_ID

  // A dynamic quorum (kraft.version 1, KIP-853): `voters` is unused; the voter set starts from
  // `bootstrap_voters` (what `format --standalone/--initial-controllers` wrote; empty for a node
  // formatted --no-initial-controllers, which learns it from the log) and then follows the
  // VotersRecords of the log and snapshots. AddRaftVoter/RemoveRaftVoter/UpdateRaftVoter change it.
  bool dynamic = false;
  VoterSet bootstrap_voters;
  // This replica: its directory id (meta.properties) and what it announces as a voter (its
  // controller endpoints); UpdateRaftVoter tells the leader when the voter set says otherwise.
  Uuid directory_id;
  std::vector<VoterEndpoint> endpoints;
  // Whom an observer asks for the leader when it knows no voter: controller.quorum.bootstrap.servers,
  // as ids the owner maps to addresses (negative, as Kafka numbers them: -2, -3, ...).
  std::vector<NodeId> bootstrap_servers;

  int64_t election_timeout_ms = 1000;  // controller.quorum.election.timeout.ms (plus up to 100% jitter)
  int64_t fetch_timeout_ms = 2000;     // controller.quorum.fetch.timeout.ms
  int64_t request_timeout_ms = 2000;   // controller.quorum.request.timeout.ms: resend an unanswered request
  int64_t fetch_max_wait_ms = 500;     // how long the leader parks a follower's fetch that finds nothing new
  int64_t election_backoff_max_ms = 1000;  // controller.quorum.election.backoff.max.ms: after a lost election
  int64_t retry_backoff_ms = 20;           // controller.quorum.retry.backoff.ms: after an error answer
  int32_t fetch_max_entries = 512;     // bound on the records of one FetchResponse
  int32_t fetch_snapshot_max_bytes = 8 << 20;  // bytes a follower asks for per FetchSnapshot (KafkaRaftClient's)

  InjectedBugs bugs;  // test only: see above
};

}  // namespace runnel::raft
