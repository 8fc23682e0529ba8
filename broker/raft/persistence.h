#pragma once

// What the replica asks its owner to make durable. The owner performs the requests in order and
// reports the highest sequence number that is durable with Replica::on_persisted(seq); it may
// batch them (one fsync for many). A crash may lose any suffix of the requests not yet reported;
// an AppendEntries may be torn at a record boundary. The replica never lets a message out that
// depends on a request that is not yet durable.

#include <cstdint>
#include <variant>
#include <vector>

#include "broker/raft/entry.h"
#include "broker/raft/quorum_state.h"

namespace runnel::raft {

struct WriteQuorumState {
  QuorumStateData state;  // replaces the whole file (write a temporary, fsync, rename)
};

struct AppendEntries {
  std::vector<Entry> entries;  // contiguous, the first at the log end offset
};

struct TruncateTo {
  Offset end_offset{0};  // remove every record at or above this offset
};

using PersistOp = std::variant<WriteQuorumState, AppendEntries, TruncateTo>;

struct PersistRequest {
  uint64_t seq = 0;
  PersistOp op;
};

// What a member finds on disk when it starts.
struct DurableState {
  QuorumStateData quorum;
  Offset log_start_offset{0};
  LeaderEpoch log_start_epoch{0};  // the epoch of the snapshot the log starts after, 0 without one
  std::vector<Entry> entries;
};

}  // namespace runnel::raft
