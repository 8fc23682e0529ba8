// Retention (whole-segment deletion by time and size) and directory removal.
#include <fcntl.h>

#include <algorithm>

#include "broker/storage/checkpoint.h"
#include "broker/storage/cleaner_checkpoint.h"
#include "broker/storage/partition_log.h"

namespace runnel::storage {
namespace {

constexpr const char* kSegmentSuffixes[] = {".log", ".index", ".timeindex"};

}  // namespace

io::Task<void> PartitionLog::enforce_retention(int64_t now_ms) {
  if (failed_ || closed_ || segments_.size() < 2) co_return;
  // cleanup.policy=compact alone keeps everything the cleaner keeps; and while the cleaner
  // renames segment files, deleting segments would race with its swap (cleaner_recovery.h).
  if (!config_.cleanup_delete || cleaner_.swapping) co_return;
  std::vector<std::shared_ptr<Segment>> victims;
  auto it = segments_.begin();
  const auto active = std::prev(segments_.end());
  // Only sealed, fully synced segments go; the active one always stays (it carries the LEO).
  auto deletable = [&](const Segment& s) { return s.seal_done && s.size_written == s.size_assigned; };
  // retention.ms: Kafka deletes while the segment's largest timestamp is older than the limit.
  if (config_.retention_ms >= 0) {
    while (it != active && deletable(*it->second) && it->second->max_timestamp >= 0 &&
           now_ms - it->second->max_timestamp > config_.retention_ms) {
      victims.push_back(it->second);
      ++it;
    }
  }
  // retention.bytes: delete from the oldest while what remains still reaches the limit.
  if (config_.retention_bytes >= 0) {
    int64_t diff = size_bytes() - config_.retention_bytes;
    for (const auto& v : victims) diff -= int64_t(v->size_assigned);
    while (it != active && deletable(*it->second) && diff - int64_t(it->second->size_assigned) >= 0) {
      diff -= int64_t(it->second->size_assigned);
      victims.push_back(it->second);
      ++it;
    }
  }
  if (victims.empty()) co_return;
  for (const auto& v : victims) {
    segments_.erase(v->base_offset);
    v->deleted = true;
  }
  log_start_ = std::max(log_start_, segments_.begin()->first);
  // Unlinking while a reader still holds the fd is fine: the inode lives until the last close.
  // Oldest first, and each segment's unlinks are made durable (directory fsync) before the next
  // segment's start: a power cut may keep any subset of unsynced unlinks, and keeping a newer
  // segment's while losing an older one's would bring the older segment back with a hole after
  // it (FORMAT.md, "What is synced").
  for (const auto& v : victims) {
    for (const char* suffix : kSegmentSuffixes) {
      const std::string name = segment_file_name(v->base_offset.value(), suffix);
      co_await files_.unlink(dir_fd_, name.c_str());
    }
    co_await files_.fsync(dir_fd_);
  }
}

io::Task<void> PartitionLog::remove() {
  co_await close_files(/*discard=*/true);
  for (const auto& [base, _] : segments_) {
    for (const char* suffix : kSegmentSuffixes) {
      const std::string path = dir_ + "/" + segment_file_name(base.value(), suffix);
      co_await files_.unlink(AT_FDCWD, path.c_str());
    }
  }
  for (const char* name : {kCheckpointName, kCheckpointTmpName, kCleanerCheckpointName, kCleanerCheckpointTmpName}) {
    const std::string path = dir_ + "/" + name;
    co_await files_.unlink(AT_FDCWD, path.c_str());
  }
  segments_.clear();
  co_await files_.unlink(AT_FDCWD, dir_.c_str(), AT_REMOVEDIR);
}

}  // namespace runnel::storage
