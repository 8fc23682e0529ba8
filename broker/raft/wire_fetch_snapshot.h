#pragma once

// FetchSnapshot (api key 59, v0-v1) on the wire: the core's FetchSnapshotRequest/Response
// (messages.h) to and from the generated codecs. A follower whose FetchResponse carries a
// snapshot id asks for that snapshot's bytes chunk by chunk (position, max bytes) from the leader.

#include <cstdint>
#include <string>
#include <vector>

#include "broker/model/error_code.h"
#include "broker/model/result.h"
#include "broker/protocol/generated/fetch_snapshot_request.h"
#include "broker/protocol/generated/fetch_snapshot_response.h"
#include "broker/raft/messages.h"
#include "broker/raft/wire_error.h"

namespace runnel::raft::wire {

protocol::FetchSnapshotRequest to_wire(const FetchSnapshotRequest& m);
Result<FetchSnapshotRequest, WireError> from_wire(const protocol::FetchSnapshotRequest& m);

// Like FetchResponseFrame: the protocol struct points into `m.bytes`, which must outlive it.
protocol::FetchSnapshotResponse to_wire(const FetchSnapshotResponse& m);
Result<FetchSnapshotResponse, WireError> from_wire(const protocol::FetchSnapshotResponse& m);

}  // namespace runnel::raft::wire
