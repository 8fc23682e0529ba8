#pragma once

// The KRaft RPCs as plain structs, one per request and response, with the fields of Kafka's
// schemas (VoteRequest.json, BeginQuorumEpochRequest.json, EndQuorumEpochRequest.json, the KRaft
// part of FetchRequest.json/FetchResponse.json). The topic/partition nesting of the wire format is
// gone: there is one partition, __cluster_metadata-0. A later wire adapter maps these to and from
// the generated codecs; fields marked "echo" are not on the wire but copied by the adapter from
// the request a response answers (Kafka correlates them by correlation id the same way).

#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "broker/model/error_code.h"
#include "broker/model/named_type.h"
#include "broker/raft/entry.h"
#include "broker/raft/voter_set.h"

namespace runnel::raft {

struct LeaderIdAndEpoch {
  NodeId leader_id{-1};
  LeaderEpoch leader_epoch{0};
};

// Vote (api key 52). With prevote set (KIP-996, VoteRequest v2) it asks "would you vote for me
// in candidate_epoch?" without anyone changing state, so a node that cannot win never bumps the
// epoch and never disrupts a healthy leader.
struct VoteRequest {
  std::string cluster_id;
  LeaderEpoch candidate_epoch{0};
  NodeId candidate_id{-1};
  LeaderEpoch last_offset_epoch{0};
  Offset last_offset{0};  // the candidate's log end offset
  bool prevote = false;
};

struct VoteResponse {
  ErrorCode error = ErrorCode::none;
  NodeId leader_id{-1};         // the responder's known leader of leader_epoch, or -1
  LeaderEpoch leader_epoch{0};  // the responder's epoch
  bool vote_granted = false;
  bool prevote = false;  // echo
};

// BeginQuorumEpoch (api key 53): a new leader tells the voters it won.
struct BeginQuorumEpochRequest {
  std::string cluster_id;
  NodeId leader_id{-1};
  LeaderEpoch leader_epoch{0};
};

struct BeginQuorumEpochResponse {
  ErrorCode error = ErrorCode::none;
  NodeId leader_id{-1};
  LeaderEpoch leader_epoch{0};
};

// EndQuorumEpoch (api key 54): a leader that steps down (resigns) tells the voters, listing the
// ones with the longest logs first so that they stand first.
struct EndQuorumEpochRequest {
  std::string cluster_id;
  NodeId leader_id{-1};
  LeaderEpoch leader_epoch{0};
  std::vector<NodeId> preferred_successors;
};

struct EndQuorumEpochResponse {
  ErrorCode error = ErrorCode::none;
  NodeId leader_id{-1};
  LeaderEpoch leader_epoch{0};
};

// Fetch (api key 1) as followers and observers send it to the quorum leader: replication is
// pull-based, and the fetch offset doubles as the follower's acknowledgement.
struct FetchRequest {
  std::string cluster_id;
  NodeId replica_id{-1};               // ReplicaState.ReplicaId
  LeaderEpoch current_leader_epoch{0};  // the fetcher's epoch
  Offset fetch_offset{0};               // the fetcher's (durable) log end offset
  LeaderEpoch last_fetched_epoch{0};    // the epoch of the record before fetch_offset
  int64_t max_wait_ms = 0;
};

struct FetchResponse {
  ErrorCode error = ErrorCode::none;
  Offset high_watermark{-1};  // -1: unknown
  Offset log_start_offset{0};
  // Set when the fetcher's log diverges from the leader's: the largest epoch <= last_fetched_epoch
  // that the leader has and the offset where it ends. The fetcher truncates to it.
  std::optional<OffsetAndEpoch> diverging_epoch;
  // Set when fetch_offset is below the leader's log start: fetch this snapshot (FetchSnapshot).
  std::optional<OffsetAndEpoch> snapshot_id;
  LeaderIdAndEpoch current_leader;
  std::vector<Entry> records;
  Offset fetch_offset{0};             // echo
  LeaderEpoch last_fetched_epoch{0};  // echo
};

// FetchSnapshot (api key 59): a fetcher whose FetchResponse named a snapshot reads that snapshot
// from the leader chunk by chunk (position, at most max_bytes each), then installs it and fetches
// records again from its end offset.
struct FetchSnapshotRequest {
  std::string cluster_id;
  NodeId replica_id{-1};
  LeaderEpoch current_leader_epoch{0};
  OffsetAndEpoch snapshot_id;  // the snapshot's end offset (exclusive) and epoch
  int64_t position = 0;        // byte position in the snapshot to read from
  int32_t max_bytes = 0;
};

struct FetchSnapshotResponse {
  ErrorCode error = ErrorCode::none;
  OffsetAndEpoch snapshot_id;
  LeaderIdAndEpoch current_leader;
  int64_t size = 0;      // the snapshot's total size in bytes
  int64_t position = 0;  // where `bytes` starts in the snapshot
  std::vector<uint8_t> bytes;  // Kafka's UnalignedRecords: a slice of the snapshot file
};

// AddRaftVoter (api key 80), RemoveRaftVoter (81), UpdateRaftVoter (82): voter changes (KIP-853),
// answered by the leader once the VotersRecord that makes the change is committed. Add and Remove
// come from an administrator (kafka-metadata-quorum.sh add-controller/remove-controller), not from
// a quorum member: the owner gives each such request a source id of its own (below kNoNode) to
// match the answer. Update comes from a voter whose endpoints the voter set does not have.
struct AddVoterRequest {
  std::string cluster_id;
  int64_t timeout_ms = 0;
  Voter voter;  // id, directory id, endpoints (Listeners)
};

struct RemoveVoterRequest {
  std::string cluster_id;
  NodeId voter_id{-1};
  Uuid voter_directory_id;
};

struct UpdateVoterRequest {
  std::string cluster_id;
  LeaderEpoch current_leader_epoch{0};
  Voter voter;
};

inline constexpr int16_t kAddRaftVoterApiKey = 80;
inline constexpr int16_t kRemoveRaftVoterApiKey = 81;
inline constexpr int16_t kUpdateRaftVoterApiKey = 82;

// The answer to all three.
struct VoterChangeResponse {
  ErrorCode error = ErrorCode::none;
  std::string message;          // Kafka's ErrorMessage (Add, Remove)
  LeaderIdAndEpoch current_leader;  // UpdateRaftVoter's CurrentLeader
  int16_t api_key = 0;          // which of the three it answers: 80, 81 or 82
};

using Message = std::variant<VoteRequest, VoteResponse, BeginQuorumEpochRequest, BeginQuorumEpochResponse,
                             EndQuorumEpochRequest, EndQuorumEpochResponse, FetchRequest, FetchResponse,
                             FetchSnapshotRequest, FetchSnapshotResponse, AddVoterRequest, RemoveVoterRequest,
                             UpdateVoterRequest, VoterChangeResponse>;

struct Envelope {
  NodeId source{-1};
  NodeId destination{-1};
  Message message;
};

// One line per message for traces, e.g. "Vote{pre e=4 c=2 last=(17,3)}".
std::string describe(const Message& message);

}  // namespace runnel::raft
