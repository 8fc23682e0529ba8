#pragma once

// The metadata quorum's snapshot files in `__cluster_metadata-0/`, next to the log segment.
//
// Naming is Kafka's: `<end offset, 20 digits>-<epoch, 10 digits>.checkpoint`, the snapshot id
// (snapshot.h: the end offset is exclusive, the epoch is the last covered record's). The bytes
// are the state machine's own (for the controller, metadata::encode_snapshot; its format is
// broker/metadata/FORMAT.md, with its own CRC), so a Kafka tool cannot read them.
//
// write_snapshot replaces nothing in place: the bytes go to `<name>.part`, fdatasync, rename to
// `<name>`, directory fsync; then all but the newest kSnapshotsKept snapshots are unlinked. A
// power cut leaves complete snapshots only (and maybe a `.part` file).
//
// load_newest_snapshot, at start-up, removes leftover `.part` files, tries the snapshots newest
// first and returns the first that the owner's validator accepts (a damaged newest one falls back
// to the previous), or none.
//
// Blocking, on a synchronous storage::Files (BlockingFiles on a helper thread, FaultFiles in
// tests). Errors are values.

#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "broker/model/result.h"
#include "broker/raft/log_store.h"
#include "broker/raft/snapshot.h"
#include "broker/storage/files.h"

namespace runnel::raft {

inline constexpr size_t kSnapshotsKept = 2;

std::string snapshot_file_name(OffsetAndEpoch id);
std::optional<OffsetAndEpoch> parse_snapshot_file_name(std::string_view name);

// Whether bytes read back are a whole snapshot (the state machine checks its own CRC).
using SnapshotValidator = std::function<bool(std::span<const uint8_t>)>;

Result<void, LogStoreError> write_snapshot(storage::Files& files, int dir_fd, OffsetAndEpoch id,
                                           std::span<const uint8_t> bytes);

struct LoadedSnapshot {
  std::optional<Snapshot> snapshot;  // none: no snapshot, or none valid
  int damaged = 0;                   // newer snapshots the validator refused
};

Result<LoadedSnapshot, LogStoreError> load_newest_snapshot(storage::Files& files, int dir_fd,
                                                           const SnapshotValidator& valid);

}  // namespace runnel::raft
