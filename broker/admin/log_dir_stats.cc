#include "broker/admin/log_dir_stats.h"

#include <sys/statvfs.h>

#include <algorithm>

#include "broker/admin/collector.h"

namespace runnel::admin {

std::optional<LogDirSpace> read_log_dir_space(const std::string& dir) {
  struct statvfs s {};
  if (statvfs(dir.c_str(), &s) != 0) return std::nullopt;
  const double block = static_cast<double>(s.f_frsize);
  return LogDirSpace{static_cast<double>(s.f_blocks) * block, static_cast<double>(s.f_bavail) * block};
}

std::vector<prometheus::MetricFamily> log_dir_families(const std::vector<std::string>& dirs,
                                                       const std::vector<std::string>& failed) {
  using prometheus::MetricType;
  prometheus::MetricFamily capacity = make_family(
      "runnel_log_dir_capacity_bytes", "Size of the filesystem holding the log directory", MetricType::Gauge);
  prometheus::MetricFamily available =
      make_family("runnel_log_dir_available_bytes",
                  "Bytes still available to the broker on the filesystem holding the log directory",
                  MetricType::Gauge);
  prometheus::MetricFamily dir_failed =
      make_family("runnel_log_dir_failed",
                  "1 when a partition log in the directory failed on an I/O error (Kafka takes such a directory offline)",
                  MetricType::Gauge);
  for (const std::string& dir : dirs) {
    const bool is_failed = std::find(failed.begin(), failed.end(), dir) != failed.end();
    add_sample(dir_failed, {{"dir", dir}}, is_failed ? 1.0 : 0.0);
    std::optional<LogDirSpace> space = read_log_dir_space(dir);
    if (!space) continue;
    add_sample(capacity, {{"dir", dir}}, space->capacity_bytes);
    add_sample(available, {{"dir", dir}}, space->available_bytes);
  }
  return {std::move(capacity), std::move(available), std::move(dir_failed)};
}

}  // namespace runnel::admin
