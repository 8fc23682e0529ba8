#pragma once

#include <optional>
#include <string>
#include <vector>

#include <prometheus/metric_family.h>

namespace runnel::admin {

// The process' own resource use, read from /proc/self on the admin thread at scrape time.
struct ProcessStats {
  double cpu_seconds = 0;       // user + system
  double resident_bytes = 0;
  double virtual_bytes = 0;
  double open_fds = 0;
  double max_fds = 0;
  double start_time_seconds = 0;  // Unix time
};

// Parses the contents of /proc/<pid>/stat (fields after the parenthesised command name may be
// shifted by spaces in the name; we parse from the last ')'). nullopt if malformed.
struct ProcStat {
  double utime_ticks = 0;
  double stime_ticks = 0;
  double starttime_ticks = 0;
  double vsize_bytes = 0;
  double rss_pages = 0;
};
std::optional<ProcStat> parse_proc_stat(const std::string& text);

std::optional<ProcessStats> read_process_stats();

// process_* families under the names every Prometheus client library uses (so that standard
// dashboards work) plus runnel_build_info.
std::vector<prometheus::MetricFamily> process_families(const std::string& version);

}  // namespace runnel::admin
