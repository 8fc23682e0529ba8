#include "broker/raft/durable_state_loader.h"

#include <algorithm>
#include <optional>
#include <utility>

#include "broker/raft/inline_task.h"
#include "broker/raft/quorum_state_file.h"

namespace runnel::raft {

namespace {

// The log after the snapshot `id`: the store's records below it are dropped (a trim keeps the
// batch that holds the snapshot's end). A log that stops before the snapshot, or whose record
// before it has another epoch (a follower crashed between writing the leader's snapshot and
// replacing its old log), is replaced by an empty one at the snapshot's end. A log that starts
// after the snapshot has a gap nothing can fill: the snapshot it continued is gone (damaged).
Result<std::vector<Entry>, LogStoreError> continue_snapshot(storage::Files& files, MetadataLogStore& store,
                                                            std::vector<Entry> entries, OffsetAndEpoch id) {
  if (store.base_offset() > id.offset) {
    return Unexpected(LogStoreError{LogStoreError::Kind::damaged,
                                    "metadata log: the log starts at offset " + std::to_string(store.base_offset().value()) +
                                        " but the newest readable snapshot ends at " + std::to_string(id.offset.value()) +
                                        ": the records between are lost"});
  }
  const Offset base = store.base_offset();
  const bool reaches = store.end_offset() >= id.offset;
  const bool agrees = reaches && (id.offset == base || entries[size_t(id.offset.value() - base.value() - 1)].epoch == id.epoch);
  if (!agrees) {
    if (auto reset = run_inline(store.reset_to(files, id.offset)); !reset) return Unexpected(reset.error());
    return std::vector<Entry>{};
  }
  entries.erase(entries.begin(), entries.begin() + (id.offset.value() - base.value()));
  return entries;
}

}  // namespace

Result<RecoveredDurableState, LogStoreError> recover_durable_state(storage::Files& files, int dir_fd,
                                                                   const SnapshotValidator& valid) {
  Result<std::optional<QuorumStateData>, QuorumStateFileError> quorum = read_quorum_state(files, dir_fd);
  if (!quorum) {
    const auto kind = quorum.error().kind == QuorumStateFileError::Kind::damaged ? LogStoreError::Kind::damaged
                                                                                  : LogStoreError::Kind::io;
    return Unexpected(LogStoreError{kind, quorum.error().message});
  }
  Result<LoadedSnapshot, LogStoreError> snapshot = load_newest_snapshot(files, dir_fd, valid);
  if (!snapshot) return Unexpected(snapshot.error());
  Result<RecoveredLog, LogStoreError> log = MetadataLogStore::open(files, dir_fd);
  if (!log) return Unexpected(log.error());
  DurableState durable;
  durable.quorum = quorum->value_or(QuorumStateData{});
  LogRecoveryStats stats = log->stats;
  stats.snapshots_damaged = snapshot->damaged;
  if (snapshot->snapshot) {
    const Snapshot& s = *snapshot->snapshot;
    Result<std::vector<Entry>, LogStoreError> entries = continue_snapshot(files, log->store, std::move(log->entries), s.id);
    if (!entries) {
      log->store.close(files);
      return Unexpected(entries.error());
    }
    durable.log_start_offset = s.id.offset;
    durable.log_start_epoch = s.id.epoch;
    durable.snapshot = s.bytes;
    durable.entries = std::move(*entries);
  } else if (log->store.base_offset().value() > 0) {
    log->store.close(files);
    return Unexpected(LogStoreError{LogStoreError::Kind::damaged,
                                    "metadata log: the log starts at offset " + std::to_string(log->store.base_offset().value()) +
                                        " but no readable snapshot covers the records before it"});
  } else {
    durable.entries = std::move(log->entries);
  }
  return RecoveredDurableState{std::move(log->store), std::move(durable), stats};
}

}  // namespace runnel::raft
