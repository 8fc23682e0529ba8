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
#include "broker/raft/snapshot.h"

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

// The owner made a snapshot at `snapshot` durable (Replica::snapshot_created): every record below
// its end offset may go. The owner may keep more (Kafka deletes whole segments only); what it
// keeps below the snapshot is ignored at the next start.
struct TrimPrefix {
  OffsetAndEpoch snapshot;
};

// A follower fetched the leader's snapshot whole: write it durably (the owner's snapshot file),
// then drop the whole log; the log continues at the snapshot's end offset. A crash may lose the
// install (the old log stays, as with any unreported request) but never leaves half of it.
struct InstallSnapshot {
  Snapshot snapshot;
};

using PersistOp = std::variant<WriteQuorumState, AppendEntries, TruncateTo, TrimPrefix, InstallSnapshot>;

struct PersistRequest {
  uint64_t seq = 0;
  PersistOp op;
};

// What a member finds on disk when it starts.
struct DurableState {
  QuorumStateData quorum;
  Offset log_start_offset{0};
  LeaderEpoch log_start_epoch{0};  // the epoch of the snapshot the log starts after, 0 without one
  // The newest snapshot, at (log_start_offset, log_start_epoch); absent when the log starts at 0.
  SnapshotBytes snapshot;
  std::vector<Entry> entries;  // contiguous from log_start_offset
};

}  // namespace runnel::raft
