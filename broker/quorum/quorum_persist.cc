// QuorumDriver, the disk side: carries out the replica's persistence requests in order and
// reports them durable. Requests that queue up while one group is being written form the next
// group, which costs one fdatasync however many appends it holds.
//
// Order matters beyond each request: the replica may lose only a suffix of what it has not been
// told is durable. An append followed by a quorum-state write must not end up with the state on
// disk and the records lost, so the log is synced before every quorum-state write that follows
// unsynced log writes.
//
// A failed write (EIO, ENOSPC) stops this node's part in the quorum: nothing more is reported
// durable, so the replica sends nothing that depends on it and the other voters carry on
// without it (Kafka halts the process on a metadata log write error; a node that stays up keeps
// serving its admin API and says why in /v1/cluster).
#include "broker/io/blocking.h"
#include "broker/log/log.h"
#include "broker/metrics/clock.h"
#include "broker/metrics/shard_probe.h"
#include "broker/quorum/quorum_driver.h"
#include "broker/raft/quorum_state_file.h"
#include "broker/raft/snapshot_store.h"
#include "broker/storage/blocking_files.h"

namespace runnel::quorum {

namespace {

int64_t wall_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

io::Task<void> QuorumDriver::persist_loop() {
  for (;;) {
    if (to_persist_.empty()) {
      if (stopping_) break;
      co_await persist_wakeup_.wait();
      continue;
    }
    std::deque<raft::PersistRequest> group = std::exchange(to_persist_, {});
    if (failed_) continue;
    const int64_t started_ns = metrics::mono_ns();
    bool unsynced = false;
    uint64_t last = 0;
    std::string error;
    for (raft::PersistRequest& request : group) {
      if (auto* state = std::get_if<raft::WriteQuorumState>(&request.op)) {
        if (unsynced) {
          auto synced = co_await log_->sync(files_);
          if (!synced) {
            error = synced.error().message;
            break;
          }
          unsynced = false;
        }
        const int dir = dir_fd_;
        const raft::QuorumStateData data = state->state;
        auto write = [dir, data]() { return raft::write_quorum_state(storage::BlockingFiles::instance(), dir, data); };
        auto written = co_await io::run_blocking(ring_, write);
        if (!written) {
          error = written.error().message;
          break;
        }
      } else if (auto* append = std::get_if<raft::AppendEntries>(&request.op)) {
        auto appended = co_await log_->append(files_, append->entries, wall_ms());
        if (!appended) {
          error = appended.error().message;
          break;
        }
        unsynced = true;
      } else if (auto* truncate = std::get_if<raft::TruncateTo>(&request.op)) {
        auto truncated = co_await log_->truncate_to(files_, truncate->end_offset);
        if (!truncated) {
          error = truncated.error().message;
          break;
        }
        unsynced = true;
      } else if (auto* trim = std::get_if<raft::TrimPrefix>(&request.op)) {
        // The snapshot file is durable already (save_snapshot wrote it before the replica heard).
        auto trimmed = co_await log_->trim_prefix(files_, trim->snapshot.offset);
        if (!trimmed) {
          error = trimmed.error().message;
          break;
        }
      } else if (auto* install = std::get_if<raft::InstallSnapshot>(&request.op)) {
        // The snapshot first, durably; only then the old log goes (recovery trusts the snapshot).
        const int dir = dir_fd_;
        const raft::Snapshot snapshot = install->snapshot;
        auto write = [dir, snapshot]() {
          return raft::write_snapshot(storage::BlockingFiles::instance(), dir, snapshot.id, *snapshot.bytes);
        };
        auto written = co_await io::run_blocking(ring_, write);
        if (!written) {
          error = written.error().message;
          break;
        }
        auto reset = co_await log_->reset_to(files_, snapshot.id.offset);
        if (!reset) {
          error = reset.error().message;
          break;
        }
        unsynced = false;  // the new, empty segment is durable
      }
      last = request.seq;
    }
    if (error.empty() && unsynced) {
      auto synced = co_await log_->sync(files_);
      if (!synced) error = synced.error().message;
    }
    if (!error.empty()) {
      failed_ = true;
      to_persist_.clear();
      RUNNEL_LOG(error, "metadata quorum: node %d stops taking part: %s", node_id().value(), error.c_str());
      handover_done_.wake();
      continue;
    }
    if (stopping_) break;
    // runnel_quorum_persist_seconds: the disk's share of the quorum's commit latency.
    if (metrics::ShardProbe* probe = metrics::this_shard_probe()) probe->on_quorum_persist(metrics::mono_ns() - started_ns);
    replica_.on_persisted(last);
    process_ready();
  }
}

}  // namespace runnel::quorum
