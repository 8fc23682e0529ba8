// Ring-thread side of a cleaning: the rename protocol (cleaner_recovery.h) and the in-memory
// segment replacement.
#include "broker/storage/cleaner_swap.h"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>

#include "broker/storage/cleaner_checkpoint.h"
#include "broker/storage/partition_log.h"

namespace runnel::storage {
namespace {

CleanerCrashPoint g_stop_point = CleanerCrashPoint::none;

CleanerCrashPoint env_crash_point() {
  static const CleanerCrashPoint p = [] {
    const char* v = std::getenv("RUNNEL_TEST_CLEANER_CRASH_AT");
    if (v == nullptr) return CleanerCrashPoint::none;
    for (auto c : {CleanerCrashPoint::after_cleaned, CleanerCrashPoint::before_commit, CleanerCrashPoint::after_commit,
                   CleanerCrashPoint::before_final_rename, CleanerCrashPoint::before_index_files}) {
      if (std::strcmp(v, crash_point_name(c)) == 0) return c;
    }
    return CleanerCrashPoint::none;
  }();
  return p;
}

// True when the swap must stop here (unit-test stop point); never returns for the env crash.
bool reached(CleanerCrashPoint p) {
  if (env_crash_point() == p) {
    std::fprintf(stderr, "storage: cleaner test hook: SIGKILL at %s\n", crash_point_name(p));
    ::kill(::getpid(), SIGKILL);
  }
  return g_stop_point == p;
}

}  // namespace

const char* crash_point_name(CleanerCrashPoint p) {
  switch (p) {
    case CleanerCrashPoint::none: return "none";
    case CleanerCrashPoint::after_cleaned: return "after_cleaned";
    case CleanerCrashPoint::before_commit: return "before_commit";
    case CleanerCrashPoint::after_commit: return "after_commit";
    case CleanerCrashPoint::before_final_rename: return "before_final_rename";
    case CleanerCrashPoint::before_index_files: return "before_index_files";
  }
  return "?";
}

void set_cleaner_stop_point(CleanerCrashPoint p) { g_stop_point = p; }

io::Task<int> LogCompactor::swap_group(PartitionLog& log, CleanedGroup& g) {
  Files& files = log.files_;
  const int dir = log.dir_fd_;
  const int64_t b0 = g.segment->base_offset.value();  // names the files
  // The old segments must still be exactly what the job read (retention may have dropped some),
  // and the segment after them must start where the cleaned one ends.
  bool current = !log.failed_;
  for (int64_t base : g.old_bases) {
    auto it = log.segments_.find(Offset(base));
    current = current && it != log.segments_.end() && !it->second->deleted;
  }
  if (current) {
    auto next = log.segments_.upper_bound(Offset(g.old_bases.back()));
    current = next != log.segments_.end() && next->first == g.segment->next_offset;
  }
  const std::string cleaned = cleaned_file_name(b0), swap = segment_file_name(b0, ".log.swap");
  if (!current) {
    co_await files.unlink(dir, cleaned.c_str());
    co_return 0;
  }
  if (reached(CleanerCrashPoint::after_cleaned)) co_return 2;
  int res = 0;
  size_t renamed = 1;  // old segments 1..renamed-1 are "<base>.log.deleted" on disk
  for (; renamed < g.old_bases.size() && res >= 0; ++renamed) {
    const std::string from = segment_file_name(g.old_bases[renamed], ".log");
    const std::string to = segment_file_name(g.old_bases[renamed], ".log.deleted");
    res = co_await files.rename(dir, from.c_str(), dir, to.c_str());
    if (res < 0) break;
  }
  if (res >= 0 && g.old_bases.size() > 1) res = co_await files.fsync(dir);
  if (res == -ENOSPC) co_return co_await undo_uncommitted(log, g, renamed);
  if (res < 0) {
    log.fail("cleaner rename to .deleted", res);
    co_return res;
  }
  if (reached(CleanerCrashPoint::before_commit)) co_return 2;
  res = co_await files.rename(dir, cleaned.c_str(), dir, swap.c_str());
  if (res >= 0) res = co_await files.fsync(dir);
  if (res == -ENOSPC) co_return co_await undo_uncommitted(log, g, g.old_bases.size());
  if (res < 0) {
    log.fail("cleaner commit rename", res);
    co_return res;
  }
  if (reached(CleanerCrashPoint::after_commit)) co_return 2;

  // Committed: the new segment replaces the old ones in one synchronous step.
  for (int64_t base : g.old_bases) {
    auto it = log.segments_.find(Offset(base));
    it->second->deleted = true;
    log.segments_.erase(it);
  }
  log.segments_[g.segment->base_offset] = g.segment;

  for (size_t i = 0; i < g.old_bases.size(); ++i) {
    const int64_t base = g.old_bases[i];
    if (i > 0) co_await files.unlink(dir, segment_file_name(base, ".log.deleted").c_str());
    co_await files.unlink(dir, segment_file_name(base, ".index").c_str());
    co_await files.unlink(dir, segment_file_name(base, ".timeindex").c_str());
  }
  // The unlinks must be durable before the final rename: a power cut that kept the rename but
  // lost an unlink would leave "<bi>.log.deleted" without its ".swap", which recovery takes for
  // an uncommitted swap and renames back, resurrecting a segment the new one overlaps.
  res = co_await files.fsync(dir);
  if (res < 0) {
    log.fail("cleaner unlink sync", res);
    co_return res;
  }
  if (reached(CleanerCrashPoint::before_final_rename)) co_return 2;
  const std::string final_name = segment_file_name(b0, ".log");
  res = co_await files.rename(dir, swap.c_str(), dir, final_name.c_str());
  if (res >= 0) res = co_await files.fsync(dir);
  if (res < 0) {
    log.fail("cleaner final rename", res);
    co_return res;
  }
  if (reached(CleanerCrashPoint::before_index_files)) co_return 2;
  // A crash before these exist makes the loader rebuild them by a CRC scan.
  res = co_await log.write_index_files(*g.segment);
  if (res == -ENOSPC) {
    // The swap is complete and the in-memory indexes serve reads; without space the index
    // files are left out, as after a crash right before them: the loader rebuilds them. A
    // partly written one must not stay (it would be taken as complete).
    co_await files.unlink(dir, segment_file_name(b0, ".index").c_str());
    co_await files.unlink(dir, segment_file_name(b0, ".timeindex").c_str());
    std::fprintf(stderr, "storage: %s: no space for the index files of cleaned segment %lld; rebuilt at start-up\n",
                 log.dir_.c_str(), static_cast<long long>(b0));
    co_return 1;
  }
  if (res < 0) {
    log.fail("cleaner index files", res);
    co_return res;
  }
  co_return 1;
}

io::Task<int> LogCompactor::undo_uncommitted(PartitionLog& log, CleanedGroup& g, size_t renamed) {
  // Out of space before the commit: nothing is swapped yet. Put the old segments' names back
  // and drop the cleaned file, so the log goes on with its old segments and a later cleaning
  // tries again; only if that fails too is the log failed. Renames back within the directory
  // and unlinks need no new space.
  Files& files = log.files_;
  const int dir = log.dir_fd_;
  int res = 0;
  for (size_t i = 1; i < renamed && res >= 0; ++i) {
    const std::string from = segment_file_name(g.old_bases[i], ".log.deleted");
    const std::string to = segment_file_name(g.old_bases[i], ".log");
    res = co_await files.rename(dir, from.c_str(), dir, to.c_str());
  }
  if (res >= 0) {
    co_await files.unlink(dir, cleaned_file_name(g.segment->base_offset.value()).c_str());
    co_await files.unlink(dir, segment_file_name(g.segment->base_offset.value(), ".log.swap").c_str());
    res = co_await files.fsync(dir);
  }
  if (res < 0) {
    log.fail("cleaner undo after ENOSPC", res);
    co_return res;
  }
  std::fprintf(stderr, "storage: %s: no space to swap a cleaned segment in; cleaning retried later\n",
               log.dir_.c_str());
  co_return kSwapNoSpace;
}

io::Task<int> LogCompactor::write_checkpoint(PartitionLog& log, int64_t offset) {
  const std::string text =
      encode_cleaner_checkpoint(std::filesystem::path(log.dir_).filename().string(), offset);
  int res = co_await log.write_file(kCleanerCheckpointTmpName, std::vector<uint8_t>(text.begin(), text.end()));
  if (res >= 0) {
    res = co_await log.files_.rename(log.dir_fd_, kCleanerCheckpointTmpName, log.dir_fd_, kCleanerCheckpointName);
  }
  if (res >= 0) res = co_await log.files_.fsync(log.dir_fd_);
  co_return res;
}

}  // namespace runnel::storage
