// Start-up recovery of the quorum member's durable state (quorum_driver.h: recover()).
#include <fcntl.h>
#include <unistd.h>

#include <cstring>

#include "broker/log/log.h"
#include "broker/quorum/quorum_driver.h"
#include "broker/raft/quorum_state_file.h"
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

  auto quorum_state = raft::read_quorum_state(files, dir_fd);
  if (!quorum_state) return fail(options.partition_dir + "/" + raft::kQuorumStateFileName + ": " + quorum_state.error().message);
  auto log = raft::MetadataLogStore::open(files, dir_fd);
  if (!log) return fail(log.error().message);

  Recovered r;
  r.dir_fd = dir_fd;
  if (quorum_state.value()) r.state.quorum = *quorum_state.value();
  r.state.entries = std::move(log.value().entries);
  const raft::LogRecoveryStats& stats = log.value().stats;
  r.log = std::make_unique<raft::MetadataLogStore>(std::move(log.value().store));
  RUNNEL_LOG(info, "metadata log %s: %zu records in %llu batches, epoch %d%s%s", options.partition_dir.c_str(),
             r.state.entries.size(), static_cast<unsigned long long>(stats.batches), r.state.quorum.epoch.value(),
             stats.bytes_truncated > 0 ? ", torn tail cut off" : "",
             stats.truncation_finished ? ", interrupted truncation finished" : "");
  return r;
}

}  // namespace runnel::quorum
