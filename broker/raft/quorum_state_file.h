#pragma once

// Kafka's quorum-state file (FileQuorumStateStore): what a quorum member must remember across a
// crash, the epoch, whom it voted for in that epoch and the leader it knows, so that it never
// votes twice in one epoch. Kafka keeps it in the metadata partition's directory
// (`<metadata.log.dir>/__cluster_metadata-0/quorum-state`); the driver chooses the directory.
//
// Format: one line of JSON, QuorumStateData in Kafka's JSON form plus "data_version", written
// at data_version 1 (Kafka 3.8+, KIP-853), e.g.
//   {"leaderId":-1,"leaderEpoch":2,"votedId":1,"votedDirectoryId":"AAAAAAAAAAAAAAAAAAAAAA","data_version":1}
// Version 0 files (clusterId, appliedOffset, currentVoters, no votedDirectoryId) are read too.
// Runnel has no directory ids yet, so it writes the zero id (Kafka's "no directory").
//
// Writes are atomic (Replica's WriteQuorumState asks exactly this): a temporary file
// "quorum-state.tmp" is written and fdatasync'd, renamed over "quorum-state", and the directory
// fsync'd. After a crash at any point the file is the old state or the new one, never a mix; once
// write_quorum_state() returned success the new state survives any crash.
//
// Blocking, on a synchronous storage::Files (BlockingFiles in the broker, FaultFiles in tests).
// A quorum-state write happens a few times per election, not per record, so the driver runs it
// on a helper thread (io::run_blocking) or at start-up.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "broker/model/result.h"
#include "broker/raft/quorum_state.h"
#include "broker/storage/files.h"

namespace runnel::raft {

inline constexpr const char* kQuorumStateFileName = "quorum-state";      // FileQuorumStateStore.DEFAULT_FILE_NAME
inline constexpr const char* kQuorumStateTmpFileName = "quorum-state.tmp";
inline constexpr int kQuorumStateDataVersion = 1;

struct QuorumStateFileError {
  enum class Kind : uint8_t {
    io,       // a file operation failed; the message names the step and errno
    damaged,  // the file is there but is not a quorum state Runnel can read
  };
  Kind kind = Kind::io;
  std::string message;  // for the log, e.g. "quorum-state: leaderEpoch is missing"
};

std::string encode_quorum_state(const QuorumStateData& state);
Result<QuorumStateData, QuorumStateFileError> decode_quorum_state(std::string_view text);

// The state in `dir_fd`'s quorum-state file; nullopt when there is none (a node that never
// took part in an election). A leftover quorum-state.tmp is ignored: it was never renamed in,
// so nothing was promised from it.
Result<std::optional<QuorumStateData>, QuorumStateFileError> read_quorum_state(storage::Files& files, int dir_fd);

// Replaces the file atomically and durably (see above).
Result<void, QuorumStateFileError> write_quorum_state(storage::Files& files, int dir_fd, const QuorumStateData& state);

}  // namespace runnel::raft
