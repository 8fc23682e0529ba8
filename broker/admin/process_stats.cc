#include "broker/admin/process_stats.h"

#include <dirent.h>
#include <sys/resource.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "broker/admin/collector.h"

namespace runnel::admin {

namespace {

std::string slurp(const char* path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

double boot_time_seconds() {
  std::istringstream in(slurp("/proc/stat"));
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("btime ", 0) == 0) return std::stod(line.substr(6));
  }
  return 0;
}

double count_fds() {
  DIR* d = opendir("/proc/self/fd");
  if (d == nullptr) return 0;
  double n = 0;
  while (dirent* e = readdir(d)) {
    if (e->d_name[0] != '.') ++n;
  }
  closedir(d);
  return n - 1;  // the directory stream's own fd
}

}  // namespace

std::optional<ProcStat> parse_proc_stat(const std::string& text) {
  size_t close = text.rfind(')');
  if (close == std::string::npos) return std::nullopt;
  // Fields after ")": 3 state, 4 ppid, ... 14 utime, 15 stime, ... 22 starttime, 23 vsize, 24 rss.
  std::istringstream in(text.substr(close + 1));
  std::vector<std::string> f;
  std::string tok;
  while (in >> tok) f.push_back(tok);
  if (f.size() < 22) return std::nullopt;
  auto field = [&](int n) { return std::stod(f[static_cast<size_t>(n - 3)]); };
  try {
    return ProcStat{field(14), field(15), field(22), field(23), field(24)};
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

std::optional<ProcessStats> read_process_stats() {
  auto st = parse_proc_stat(slurp("/proc/self/stat"));
  if (!st) return std::nullopt;
  const double ticks = static_cast<double>(sysconf(_SC_CLK_TCK));
  const double page = static_cast<double>(sysconf(_SC_PAGESIZE));
  ProcessStats p;
  p.cpu_seconds = (st->utime_ticks + st->stime_ticks) / ticks;
  p.resident_bytes = st->rss_pages * page;
  p.virtual_bytes = st->vsize_bytes;
  p.open_fds = count_fds();
  rlimit lim{};
  if (getrlimit(RLIMIT_NOFILE, &lim) == 0) p.max_fds = static_cast<double>(lim.rlim_cur);
  p.start_time_seconds = boot_time_seconds() + st->starttime_ticks / ticks;
  return p;
}

std::vector<prometheus::MetricFamily> process_families(const std::string& version) {
  using prometheus::MetricType;
  std::vector<prometheus::MetricFamily> out;
  if (auto p = read_process_stats()) {
    struct Item {
      const char* name;
      const char* help;
      MetricType type;
      double value;
    };
    const Item items[] = {
        {"process_cpu_seconds_total", "Total user and system CPU time spent in seconds", MetricType::Counter,
         p->cpu_seconds},
        {"process_resident_memory_bytes", "Resident memory size in bytes", MetricType::Gauge, p->resident_bytes},
        {"process_virtual_memory_bytes", "Virtual memory size in bytes", MetricType::Gauge, p->virtual_bytes},
        {"process_open_fds", "Number of open file descriptors", MetricType::Gauge, p->open_fds},
        {"process_max_fds", "Maximum number of open file descriptors", MetricType::Gauge, p->max_fds},
        {"process_start_time_seconds", "Start time of the process since unix epoch in seconds", MetricType::Gauge,
         p->start_time_seconds},
    };
    for (const Item& i : items) {
      prometheus::MetricFamily f = make_family(i.name, i.help, i.type);
      add_sample(f, {}, i.value);
      out.push_back(std::move(f));
    }
  }
  prometheus::MetricFamily build =
      make_family("runnel_build_info", "Always 1; labels say which Runnel build is running", MetricType::Gauge);
  add_sample(build, {{"version", version}, {"compiler", __VERSION__}}, 1.0);
  out.push_back(std::move(build));
  return out;
}

}  // namespace runnel::admin
