#pragma once

#include <optional>
#include <string>
#include <vector>

#include <prometheus/metric_family.h>

namespace runnel::admin {

// Space on the filesystem holding a log directory, read with statvfs(2) at scrape time (on the
// admin thread, never on a ring). `available` is what a non-root writer may still use (f_bavail),
// the number that matters for "disk almost full", as node_exporter's avail_bytes.
struct LogDirSpace {
  double capacity_bytes = 0;
  double available_bytes = 0;
};
std::optional<LogDirSpace> read_log_dir_space(const std::string& dir);

// runnel_log_dir_capacity_bytes{dir} and runnel_log_dir_available_bytes{dir}, one series per
// log directory that statvfs can read (a missing directory has none: the offline-partition
// metrics cover failed disks), and runnel_log_dir_failed{dir} (1 for those in `failed`) for
// every directory.
std::vector<prometheus::MetricFamily> log_dir_families(const std::vector<std::string>& dirs,
                                                       const std::vector<std::string>& failed);

}  // namespace runnel::admin
