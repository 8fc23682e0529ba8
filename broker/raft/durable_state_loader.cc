#include "broker/raft/durable_state_loader.h"

#include <optional>
#include <utility>

#include "broker/raft/quorum_state_file.h"

namespace runnel::raft {

Result<RecoveredDurableState, LogStoreError> recover_durable_state(storage::Files& files, int dir_fd) {
  Result<std::optional<QuorumStateData>, QuorumStateFileError> quorum = read_quorum_state(files, dir_fd);
  if (!quorum) {
    const auto kind = quorum.error().kind == QuorumStateFileError::Kind::damaged ? LogStoreError::Kind::damaged
                                                                                  : LogStoreError::Kind::io;
    return Unexpected(LogStoreError{kind, quorum.error().message});
  }
  Result<RecoveredLog, LogStoreError> log = MetadataLogStore::open(files, dir_fd);
  if (!log) return Unexpected(log.error());
  DurableState durable;
  durable.quorum = quorum->value_or(QuorumStateData{});
  durable.log_start_offset = Offset{0};
  durable.log_start_epoch = kNoEpoch;
  durable.entries = std::move(log->entries);
  return RecoveredDurableState{std::move(log->store), std::move(durable), log->stats};
}

}  // namespace runnel::raft
