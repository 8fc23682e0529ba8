#pragma once

// A snapshot as the core sees it: the state machine's state after every record below `id.offset`,
// as opaque bytes. Kafka's naming: `id` is the end offset (exclusive: the offset after the last
// record the snapshot covers) and the epoch of that last record, so a log that starts at the
// snapshot continues from `id` exactly as a log that holds the record would
// (`RaftLog(id.offset, id.epoch)`).
//
// The bytes are shared and immutable: the leader serves FetchSnapshot from them while its owner
// keeps the same bytes on disk, and the simulation hands them from node to node without copies.

#include <cstdint>
#include <memory>
#include <vector>

#include "broker/raft/entry.h"

namespace runnel::raft {

using SnapshotBytes = std::shared_ptr<const std::vector<uint8_t>>;

struct Snapshot {
  OffsetAndEpoch id;  // end offset (exclusive) and the epoch of the last record it covers
  SnapshotBytes bytes;

  bool present() const { return bytes != nullptr; }
};

}  // namespace runnel::raft
