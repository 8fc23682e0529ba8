// QuorumController, snapshots of the metadata image (quorum_controller.h).
//
// Writing: every metadata.log.max.record.bytes.between.snapshots bytes of applied records (Kafka's
// default 20 MiB), or after metadata.log.max.snapshot.interval.ms when anything was applied, the
// applied image is encoded (metadata::encode_snapshot, on a helper thread: a large image takes a
// while) and handed to the driver, which writes `<end offset>-<epoch>.checkpoint` durably and
// then lets the replica trim the log behind it. The snapshot id is the applied offset (the end,
// exclusive) and the epoch of the record before it; only committed records are ever applied,
// so the snapshot holds committed state only, which is what the replica requires.
//
// Loading: at start the image is the snapshot recovery loaded and the applier continues from its
// end; a follower that installed the leader's snapshot (FetchSnapshot) replaces its image with it
// and republishes.

#include <chrono>

#include "broker/io/blocking.h"
#include "broker/log/log.h"
#include "broker/metadata/snapshot.h"
#include "broker/quorum/quorum_driver.h"
#include "broker/server/broker.h"
#include "broker/raft/snapshot_envelope.h"
#include "broker/server/quorum_controller.h"

namespace runnel::server {

namespace {

int64_t steady_now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(io::Clock::now().time_since_epoch()).count();
}

}  // namespace

void QuorumController::start_from_snapshot() {
  last_snapshot_ms_ = steady_now_ms();
  const raft::Snapshot& s = driver_.latest_snapshot();
  if (s.present()) load_snapshot(s, "loaded");
  snapshot_scan_ = applied_;
}

bool QuorumController::install_snapshot() {
  std::optional<raft::Snapshot> s = driver_.take_installed_snapshot();
  if (!s) return false;
  const bool loaded = load_snapshot(*s, "installed the leader's");
  snapshot_scan_ = applied_;
  bytes_since_snapshot_ = 0;
  return loaded;
}

bool QuorumController::load_snapshot(const raft::Snapshot& snapshot, const char* how) {
  // The raft envelope (the voter set) around the image's bytes (raft/snapshot_envelope.h).
  auto contents = raft::unwrap_snapshot(*snapshot.bytes);
  auto decoded = contents ? metadata::decode_snapshot(contents->state)
                          : Result<metadata::Snapshot, metadata::SnapshotError>(Unexpected(
                                metadata::SnapshotError{metadata::SnapshotErrc::truncated, "no readable envelope"}));
  if (!decoded) {
    // The records below the snapshot are gone from the log: this node cannot apply any more
    // (apply_committed stops below the log start) and says why, as Kafka's loader faults.
    RUNNEL_LOG(error, "metadata: the snapshot up to offset %lld does not load (%s: %s); applying stops",
               static_cast<long long>(snapshot.id.offset.value()), metadata::name(decoded.error().code),
               decoded.error().detail.c_str());
    return false;
  }
  image_ = std::move(decoded->image);
  applied_ = snapshot.id.offset;
  RUNNEL_LOG(info, "metadata: %s snapshot up to offset %lld (%zu brokers, %zu topics)", how,
             static_cast<long long>(applied_.value()), image_.brokers().size(), image_.topics().size());
  return true;
}

void QuorumController::maybe_snapshot() {
  if (snapshotting_ || stopping_) return;
  const raft::RaftLog& log = driver_.log();
  // Count the applied records' bytes once each (the log holds them until the next snapshot).
  for (Offset o = std::max(snapshot_scan_, log.start_offset()); o < applied_ && o < log.end_offset(); o = Offset{o.value() + 1}) {
    bytes_since_snapshot_ += static_cast<int64_t>(log.at(o).payload.size());
  }
  snapshot_scan_ = std::max(snapshot_scan_, applied_);
  const config::BrokerConfig& cfg = broker_.config();
  const int64_t interval_ms = cfg.metadata_log_max_snapshot_interval_ms;
  const bool by_bytes = bytes_since_snapshot_ >= cfg.metadata_log_max_record_bytes_between_snapshots;
  const bool by_time = interval_ms > 0 && bytes_since_snapshot_ > 0 && steady_now_ms() - last_snapshot_ms_ >= interval_ms;
  // Nothing past the log start to name the snapshot by (it would be the one we have).
  if ((!by_bytes && !by_time) || applied_ <= log.start_offset() || applied_ > log.end_offset()) return;
  const raft::OffsetAndEpoch id{applied_, log.at(Offset{applied_.value() - 1}).epoch};
  snapshotting_ = true;
  bytes_since_snapshot_ = 0;
  last_snapshot_ms_ = steady_now_ms();
  tasks_.spawn(write_snapshot(image_, id));
}

io::Task<void> QuorumController::write_snapshot(metadata::Image image, raft::OffsetAndEpoch id) {
  // The image is immutable (shared maps): the helper thread encodes its own reference.
  // A dynamic quorum's snapshot records its voters too, as Kafka's holds a VotersRecord.
  std::optional<raft::VoterSet> voters = driver_.voters_at(id.offset);
  auto encode = [image = std::move(image), epoch = id.epoch.value(), voters = std::move(voters)]() {
    return raft::wrap_snapshot(voters, metadata::encode_snapshot(image, epoch));
  };
  raft::SnapshotBytes bytes = co_await io::run_blocking(driver_.ring(), encode);
  if (!stopping_) co_await driver_.save_snapshot(id, std::move(bytes));
  snapshotting_ = false;
}

}  // namespace runnel::server
