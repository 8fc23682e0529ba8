#pragma once

// FetchSnapshot (api key 59, v1), shape only: the core has no snapshots yet (README.md, "Not yet
// here"), so these structs are not part of raft::Message. They fix the mapping now so that the
// snapshot work only adds the core's side: a follower whose FetchResponse carries a snapshot id
// asks for that snapshot's bytes chunk by chunk (position, max bytes) from the leader.

#include <cstdint>
#include <string>
#include <vector>

#include "broker/model/error_code.h"
#include "broker/model/result.h"
#include "broker/protocol/generated/fetch_snapshot_request.h"
#include "broker/protocol/generated/fetch_snapshot_response.h"
#include "broker/raft/messages.h"
#include "broker/raft/wire_error.h"

namespace runnel::raft {

struct FetchSnapshotRequest {
  std::string cluster_id;
  NodeId replica_id{-1};
  LeaderEpoch current_leader_epoch{0};
  OffsetAndEpoch snapshot_id;  // the snapshot's end offset and epoch
  int64_t position = 0;        // byte position in the snapshot to read from
  int32_t max_bytes = 0;
};

struct FetchSnapshotResponse {
  ErrorCode error = ErrorCode::none;
  OffsetAndEpoch snapshot_id;
  LeaderIdAndEpoch current_leader;
  int64_t size = 0;      // the snapshot's total size in bytes
  int64_t position = 0;  // where `bytes` starts in the snapshot
  std::vector<uint8_t> bytes;
};

}  // namespace runnel::raft

namespace runnel::raft::wire {

protocol::FetchSnapshotRequest to_wire(const FetchSnapshotRequest& m);
Result<FetchSnapshotRequest, WireError> from_wire(const protocol::FetchSnapshotRequest& m);

// Like FetchResponseFrame: the protocol struct points into `m.bytes`, which must outlive it.
protocol::FetchSnapshotResponse to_wire(const FetchSnapshotResponse& m);
Result<FetchSnapshotResponse, WireError> from_wire(const protocol::FetchSnapshotResponse& m);

}  // namespace runnel::raft::wire
