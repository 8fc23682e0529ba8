// QuorumDriver, snapshots: the state machine's snapshot is written to disk on a helper thread
// (raft::write_snapshot is blocking: tmp, fdatasync, rename, directory fsync) and only then
// reported to the replica, which trims its log and asks the persist loop to trim the segment
// (TrimPrefix). The order is the recovery argument: the log never loses a record that no
// durable snapshot holds.
#include "broker/io/blocking.h"
#include "broker/log/log.h"
#include "broker/quorum/quorum_driver.h"
#include "broker/storage/blocking_files.h"

namespace runnel::quorum {

io::Task<bool> QuorumDriver::save_snapshot(raft::OffsetAndEpoch id, raft::SnapshotBytes bytes) {
  RUNNEL_ASSERT(bytes != nullptr && !bytes->empty(), "an empty snapshot at offset %lld",
                static_cast<long long>(id.offset.value()));
  if (stopping_ || failed_) co_return false;
  const int dir = dir_fd_;
  auto write = [dir, id, bytes]() {
    return raft::write_snapshot(storage::BlockingFiles::instance(), dir, id, *bytes);
  };
  auto written = co_await io::run_blocking(ring_, write);
  if (!written) {
    RUNNEL_LOG(error, "metadata quorum: snapshot at offset %lld not written: %s",
               static_cast<long long>(id.offset.value()), written.error().message.c_str());
    co_return false;
  }
  if (stopping_) co_return false;
  RUNNEL_LOG(info, "metadata quorum: node %d wrote snapshot %s (%zu bytes)", node_id().value(),
             raft::snapshot_file_name(id).c_str(), bytes->size());
  // A snapshot installed from the leader meanwhile may have passed it: the replica ignores it.
  replica_.snapshot_created(id, std::move(bytes));
  process_ready();
  co_return true;
}

}  // namespace runnel::quorum
