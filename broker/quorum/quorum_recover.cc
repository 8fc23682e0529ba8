// Start-up recovery of the quorum member's durable state (quorum_driver.h: recover()).
#include <fcntl.h>
#include <unistd.h>

#include <cstring>

#include "broker/log/log.h"
#include "broker/quorum/quorum_driver.h"
#include "broker/raft/snapshot_envelope.h"
#include "broker/metadata/snapshot.h"
#include "broker/raft/durable_state_loader.h"
#include "broker/storage/blocking_files.h"
#include "broker/storage/file_util.h"

namespace runnel::quorum {

Result<Recovered, std::string> recover(const QuorumOptions& options) {
  storage::Files& files = storage::BlockingFiles::instance();
  if (int rc = storage::make_dirs_synced(files, options.partition_dir); rc < 0) {
    return Unexpected("create " + options.partition_dir + ": " + std::strerror(-rc));
  }
  int dir_fd = ::open(options.partition_dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir_fd < 0) return Unexpected("open " + options.partition_dir + ": " + std::strerror(errno));
  auto fail = [dir_fd](std::string message) -> Result<Recovered, std::string> {
    ::close(dir_fd);
    return Unexpected(std::move(message));
  };

  // The quorum's state machine is the metadata image: a snapshot is whole when it decodes.
  auto valid = [](std::span<const uint8_t> bytes) {
    auto contents = raft::unwrap_snapshot(bytes);
    return contents && metadata::decode_snapshot(contents->state).has_value();
  };
  auto recovered = raft::recover_durable_state(files, dir_fd, valid);
  if (!recovered) return fail(options.partition_dir + ": " + recovered.error().message);

  Recovered r;
  r.dir_fd = dir_fd;
  r.state = std::move(recovered->durable);
  const raft::LogRecoveryStats& stats = recovered->stats;
  r.log = std::make_unique<raft::MetadataLogStore>(std::move(recovered->log));
  if (stats.snapshots_damaged > 0) {
    RUNNEL_LOG(warn, "metadata log %s: %d newer snapshot(s) unreadable, started from an older one",
               options.partition_dir.c_str(), stats.snapshots_damaged);
  }
  RUNNEL_LOG(info, "metadata log %s: snapshot up to offset %lld, then %zu records in %llu batches, epoch %d%s%s",
             options.partition_dir.c_str(), static_cast<long long>(r.state.log_start_offset.value()),
             r.state.entries.size(), static_cast<unsigned long long>(stats.batches), r.state.quorum.epoch.value(),
             stats.bytes_truncated > 0 ? ", torn tail cut off" : "",
             stats.truncation_finished ? ", interrupted truncation finished" : "");
  return r;
}

}  // namespace runnel::quorum
