#include "broker/admin/health.h"

#include "broker/admin/partition_view.h"

namespace runnel::admin {

HealthResult liveness(const metrics::BrokerProbe& probe, int64_t now_ns, int64_t timeout_ns) {
  // Shutting down: loops end on purpose while requests drain; that is not a hang.
  if (probe.stopping()) return {true, "shutting down"};
  std::string stalled;
  for (int s = 0; s < probe.shard_count(); ++s) {
    if (!probe.shard_serving(s)) continue;
    int64_t age = now_ns - probe.shard(s).last_beat_ns();
    if (age > timeout_ns) {
      stalled += (stalled.empty() ? "" : ", ") + std::string("shard ") + std::to_string(s) + " silent for " +
                 std::to_string(age / 1'000'000) + " ms";
    }
  }
  if (!stalled.empty()) return {false, "ring threads stalled: " + stalled};
  return {true, "ok"};
}

std::vector<std::string> failed_log_dirs(const metrics::BrokerProbe& probe, const std::vector<std::string>& log_dirs) {
  if (log_dirs.empty()) return {};
  PartitionView view = PartitionView::gather(probe);
  for (const metrics::PartitionStats* p : view.partitions) {
    if (p->failed) return {log_dirs.front()};
  }
  return {};
}

HealthResult readiness(const metrics::BrokerProbe& probe, const std::vector<std::string>& log_dirs) {
  if (probe.stopping()) return {false, "shutting down"};
  if (!probe.metadata_loaded()) return {false, "loading cluster metadata"};
  if (!probe.ready()) return {false, "recovering partition logs and opening listeners"};
  // Only the first log directory holds partitions: when it has failed, every one in use has.
  if (!log_dirs.empty() && !failed_log_dirs(probe, log_dirs).empty()) {
    return {false, "every log directory has failed (" + log_dirs.front() +
                       "): partition logs hit I/O errors, see runnel_log_dir_failed and /v1/topics"};
  }
  return {true, "ready"};
}

}  // namespace runnel::admin
