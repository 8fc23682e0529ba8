#pragma once

// What the driver needs to start a raft::Replica: the DurableState in the metadata partition's
// directory (`<metadata.log.dir>/__cluster_metadata-0/`), read from Kafka's quorum-state file
// (quorum_state_file.h), the newest snapshot (snapshot_store.h) and the log segment
// (log_store.h), and the log store
// that carries on from there. Blocking, on a synchronous storage::Files, at start-up.

#include "broker/model/result.h"
#include "broker/raft/log_store.h"
#include "broker/raft/persistence.h"
#include "broker/raft/snapshot_store.h"
#include "broker/storage/files.h"

namespace runnel::raft {

struct RecoveredDurableState {
  MetadataLogStore log;
  DurableState durable;  // hand to Replica's constructor
  LogRecoveryStats stats;
};

// A node that never wrote a quorum state starts in epoch 0 having voted for nobody. A quorum-state
// file that cannot be read is an error (Kind::damaged): starting without it could vote twice in
// one epoch. The log starts after the newest snapshot that `valid` accepts (snapshot_store.h), at
// offset 0 without one; records below it are ignored. A log that would leave a gap after the
// snapshot (its start is beyond it, or there is no snapshot and it does not start at 0) is
// Kind::damaged: refusing is better than a state machine with records missing.
Result<RecoveredDurableState, LogStoreError> recover_durable_state(
    storage::Files& files, int dir_fd, const SnapshotValidator& valid = [](std::span<const uint8_t>) { return true; });

}  // namespace runnel::raft
