#include "broker/server/partition_opener.h"

#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <filesystem>
#include <system_error>
#include <thread>

#include "broker/cluster/partition_metadata.h"
#include "broker/log/log.h"
#include "broker/model/assert.h"
#include "broker/storage/file_util.h"

namespace runnel::server {

namespace {

// Background work yields the core to the ring threads (nice 19, still never starved).
constexpr int kBackgroundNice = 19;

void lower_priority() { (void)::setpriority(PRIO_PROCESS, static_cast<id_t>(::gettid()), kBackgroundNice); }

// Runs step(i) for every i in [0, n) on up to `threads` threads, the caller's included.
template <typename Step>
void parallel(size_t n, int threads, bool background, Step step) {
  std::atomic<size_t> next{0};
  auto worker = [&] {
    for (size_t i = next++; i < n; i = next++) step(i);
  };
  auto helper = [&] {
    if (background) lower_priority();
    worker();
  };
  const size_t helpers = std::min(n, static_cast<size_t>(std::max(threads, 1))) - (n > 0 ? 1 : 0);
  std::vector<std::thread> pool;
  pool.reserve(helpers);
  for (size_t t = 0; t < helpers; ++t) pool.emplace_back(helper);
  worker();
  for (std::thread& t : pool) t.join();
}

// Step 1 for one partition: a directory left by another incarnation of the topic goes (it holds
// that incarnation's records), then the directory is created if missing.
void prepare_dir(storage::Files& files, PartitionOpen& p) {
  Uuid existing;
  if (cluster::read_partition_metadata(p.dir, existing) && existing != p.topic_id) {
    RUNNEL_LOG(warn, "partition directory %s belongs to topic id %s, not %s: removing it", p.dir.c_str(),
               existing.to_base64().c_str(), p.topic_id.to_base64().c_str());
    std::error_code ec;
    std::filesystem::remove_all(p.dir, ec);
    if (ec) {
      p.error = "cannot remove the stale directory: " + ec.message();
      return;
    }
  }
  const int res = files.mkdir(AT_FDCWD, p.dir.c_str(), 0755).run();
  if (res < 0 && res != -EEXIST) p.error = storage::error_text(("create " + p.dir).c_str(), res);
}

// Step 2: one fsync of the log directory for every entry step 1 made (or found unsynced after a
// crash).
int sync_log_dir(storage::Files& files, const std::string& log_dir) {
  const int fd = files.open(AT_FDCWD, log_dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC).run();
  if (fd < 0) return fd;
  const int res = files.fsync(fd).run();
  files.close(fd).run();
  return res;
}

// Step 3 for one partition.
void open_one(storage::LogEnv& env, PartitionOpen& p) {
  auto opened = storage::PartitionLog::open(env, p.dir, p.config, nullptr, /*parent_synced=*/true);
  if (!opened) {
    p.error = std::move(opened).error();
    return;
  }
  // A partition without records has its partition.metadata synced with its first segment
  // (partition_metadata.h): no sync here. One that has records (a restart) gets it synced now.
  std::unique_ptr<storage::PartitionLog> log = std::move(opened).value();
  const bool empty = log->log_end_offset() == Offset(0);
  if (!cluster::write_partition_metadata(p.dir, p.topic_id, /*sync=*/!empty)) {
    p.error = "cannot write partition.metadata";
    return;
  }
  if (empty) log->sync_before_next_segment("partition.metadata");
  p.log = std::move(log);
}

}  // namespace

void open_partitions(storage::LogEnv& env, const std::string& log_dir, std::vector<PartitionOpen>& batch,
                     bool background, int threads) {
  if (batch.empty()) return;
  if (background) lower_priority();  // the helper thread of io::run_blocking, ended after this
  storage::Files& files = env.blocking;
  // The log directory itself, durable if it is new (the first partition of a fresh broker).
  int res = storage::make_dirs_synced(files, log_dir);
  if (res >= 0) {
    parallel(batch.size(), threads, background, [&](size_t i) { prepare_dir(files, batch[i]); });
    res = sync_log_dir(files, log_dir);
  }
  if (res < 0) {
    const std::string error = storage::error_text(("sync " + log_dir).c_str(), res);
    for (PartitionOpen& p : batch) {
      if (p.error.empty()) p.error = error;
    }
    return;
  }
  parallel(batch.size(), threads, background, [&](size_t i) {
    if (batch[i].error.empty()) open_one(env, batch[i]);
  });
  for (const PartitionOpen& p : batch) {
    RUNNEL_ASSERT((p.log != nullptr) != !p.error.empty(), "partition %s: opened %d, error '%s'", p.dir.c_str(),
                  int(p.log != nullptr), p.error.c_str());
  }
}

}  // namespace runnel::server
