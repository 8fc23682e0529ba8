#pragma once

// The wire adapter: pure functions between the core's messages (messages.h) and the generated
// Kafka codecs (broker/protocol/generated). No I/O and no state; the driver encodes the protocol
// structs with their generated encode() at the versions below and decodes with decode().
//
// Versions: what Kafka 4.x controllers send each other, within the schemas Runnel carries
// (/work/shared/kafka-protocol/messages):
//   Vote v1 (Kafka 4 sends v2, whose PreVote flag those schemas lack: see kPreVoteTag),
//   BeginQuorumEpoch v1, EndQuorumEpoch v1, Fetch v17, FetchSnapshot v1, DescribeQuorum v2.
// Decoding accepts every version that has the KRaft fields: Fetch from v12 (LastFetchedEpoch,
// DivergingEpoch, CurrentLeader, SnapshotId), the quorum RPCs from v0.
//
// Shape: every KRaft RPC names one topic and one partition, __cluster_metadata-0 (by name, and
// from Fetch v13 by Kafka's fixed metadata topic id). A request for anything else is
// WireError::not_metadata_partition. Errors that concern the whole request
// (INCONSISTENT_CLUSTER_ID) travel in the top-level error code, as KafkaRaftClient sends them;
// the rest at partition level. A response decodes its top-level error first.
//
// Echo fields: a response carries fields the core matches against the request it answers
// (messages.h marks them "echo"); the driver keeps them in an InFlightRequests table
// (in_flight.h) and passes them to the from_wire of the response.

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "broker/model/error_code.h"
#include "broker/model/result.h"
#include "broker/model/uuid.h"
#include "broker/protocol/generated/begin_quorum_epoch_request.h"
#include "broker/protocol/generated/begin_quorum_epoch_response.h"
#include "broker/protocol/generated/describe_quorum_request.h"
#include "broker/protocol/generated/describe_quorum_response.h"
#include "broker/protocol/generated/end_quorum_epoch_request.h"
#include "broker/protocol/generated/end_quorum_epoch_response.h"
#include "broker/protocol/generated/fetch_request.h"
#include "broker/protocol/generated/fetch_response.h"
#include "broker/protocol/generated/vote_request.h"
#include "broker/protocol/generated/vote_response.h"
#include "broker/raft/messages.h"
#include "broker/raft/replica.h"
#include "broker/raft/wire_error.h"

namespace runnel::raft::wire {

inline constexpr std::string_view kMetadataTopic = "__cluster_metadata";
inline constexpr int32_t kMetadataPartition = 0;
// Kafka's Uuid.METADATA_TOPIC_ID: Uuid(0, 1), "AAAAAAAAAAAAAAAAAAAAAQ".
Uuid metadata_topic_id();

inline constexpr int16_t kVoteVersion = 1;
inline constexpr int16_t kBeginQuorumEpochVersion = 1;
inline constexpr int16_t kEndQuorumEpochVersion = 1;
inline constexpr int16_t kFetchVersion = 17;
inline constexpr int16_t kFetchMinVersion = 12;
inline constexpr int16_t kFetchSnapshotVersion = 1;
inline constexpr int16_t kDescribeQuorumVersion = 2;

// KIP-996's PreVote flag on VoteRequest's partition, carried as a tagged field because the
// schemas stop at Vote v1. Runnel's choice, not Kafka's: only Runnel controllers exchange Vote.
// A high tag so that no tag Kafka adds to v1 can collide; value: one byte, 1 = pre-vote. Absent
// means a real vote, so a peer that does not know the tag sees an ordinary v1 request.
inline constexpr uint32_t kPreVoteTag = 10000;

// Kafka's KRaft fetch limit (KafkaRaftClient.MAX_FETCH_SIZE_BYTES).
inline constexpr int32_t kFetchMaxBytes = 8 << 20;

// Kafka's check of the receiver (Vote and BeginQuorumEpoch v1+ name it in VoterId): a request
// meant for another node (a misconfigured address) is answered with INVALID_VOTER_KEY by the
// handler instead of reaching the core. -1: not named (v0).
inline bool addressed_to(int32_t voter_id, NodeId self) { return voter_id == -1 || voter_id == self.value(); }

// --- Vote ---
protocol::VoteRequest to_wire(const VoteRequest& m, NodeId voter_id);
Result<VoteRequest, WireError> from_wire(const protocol::VoteRequest& m);
protocol::VoteResponse to_wire(const VoteResponse& m);
// `prevote`: the echo, whether the request it answers was a pre-vote.
Result<VoteResponse, WireError> from_wire(const protocol::VoteResponse& m, bool prevote);

// --- BeginQuorumEpoch ---
protocol::BeginQuorumEpochRequest to_wire(const BeginQuorumEpochRequest& m, NodeId voter_id);
Result<BeginQuorumEpochRequest, WireError> from_wire(const protocol::BeginQuorumEpochRequest& m);
protocol::BeginQuorumEpochResponse to_wire(const BeginQuorumEpochResponse& m);
Result<BeginQuorumEpochResponse, WireError> from_wire(const protocol::BeginQuorumEpochResponse& m);

// --- EndQuorumEpoch ---
// v0 lists successors as ids (PreferredSuccessors), v1 as (id, directory id) pairs
// (PreferredCandidates); both are filled and the version's encode picks one.
protocol::EndQuorumEpochRequest to_wire(const EndQuorumEpochRequest& m);
Result<EndQuorumEpochRequest, WireError> from_wire(const protocol::EndQuorumEpochRequest& m, int16_t version);
protocol::EndQuorumEpochResponse to_wire(const EndQuorumEpochResponse& m);
Result<EndQuorumEpochResponse, WireError> from_wire(const protocol::EndQuorumEpochResponse& m);

// --- Fetch ---
protocol::FetchRequest to_wire(const FetchRequest& m);
Result<FetchRequest, WireError> from_wire(const protocol::FetchRequest& m, int16_t version);

// A FetchResponse with the record batches it points at. protocol::RecordsRef does not own its
// bytes, so the two travel together; moving keeps the pointer valid (a vector's buffer does not
// move), copying would not, hence move-only.
struct FetchResponseFrame {
  protocol::FetchResponse message;
  std::vector<uint8_t> records;

  FetchResponseFrame() = default;
  FetchResponseFrame(FetchResponseFrame&&) = default;
  FetchResponseFrame& operator=(FetchResponseFrame&&) = default;
  FetchResponseFrame(const FetchResponseFrame&) = delete;
  FetchResponseFrame& operator=(const FetchResponseFrame&) = delete;
};
// `timestamp_ms`: the records' timestamp (the leader's wall clock).
FetchResponseFrame to_wire(const FetchResponse& m, int64_t timestamp_ms);
// The echo: the position the request asked about.
struct FetchEcho {
  Offset fetch_offset{0};
  LeaderEpoch last_fetched_epoch{0};
};
// Decodes the records too: a corrupt batch fails the whole response (the fetcher asks again).
Result<FetchResponse, WireError> from_wire(const protocol::FetchResponse& m, int16_t version, const FetchEcho& echo);

// --- DescribeQuorum (kafka-metadata-quorum.sh describe --status / --replication) ---
// A request must name __cluster_metadata-0.
Result<void, WireError> check_describe_quorum(const protocol::DescribeQuorumRequest& m);
// The core's timestamps are monotonic milliseconds; the tool prints wall-clock ones and
// subtracts them from its own clock, so the adapter shifts them by (wall_now - monotonic_now).
// -1 (unknown) stays -1.
struct Clocks {
  int64_t monotonic_now_ms = 0;
  int64_t wall_now_ms = 0;
};
// The answer from Replica::describe_quorum(): the quorum as the leader sees it, or the error
// (NOT_LEADER_OR_FOLLOWER on a non-leader) at partition level with Kafka's message.
protocol::DescribeQuorumResponse describe_quorum_response(const Result<QuorumDescription, ErrorCode>& description,
                                                          const Clocks& clocks);

}  // namespace runnel::raft::wire
