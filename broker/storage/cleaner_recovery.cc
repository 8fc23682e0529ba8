#include "broker/storage/cleaner_recovery.h"

#include <fcntl.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <vector>

#include "broker/storage/file_util.h"
#include "broker/storage/segment.h"

namespace runnel::storage {
namespace {

bool ends_with(const std::string& s, const char* suffix) {
  const size_t n = std::strlen(suffix);
  return s.size() >= n && s.compare(s.size() - n, n, suffix) == 0;
}

bool exists_at(Files& files, int dir_fd, const std::string& name) {
  const int fd = files.open(dir_fd, name.c_str(), O_RDONLY | O_CLOEXEC).run();
  if (fd >= 0) files.close(fd).run();
  return fd >= 0;
}

int unlink_if_present(Files& files, int dir_fd, const std::string& name) {
  const int res = files.unlink(dir_fd, name.c_str()).run();
  return res == -ENOENT ? 0 : res;
}

}  // namespace

Result<void, IoMessage> recover_interrupted_cleaning(Files& files, int dir_fd, CleanerRecoveryStats& stats) {
  int res = 0;
  auto io_error = [&](const char* what, const std::string& name) -> Result<void, IoMessage> {
    return Unexpected(error_text((std::string(what) + " " + name).c_str(), res));
  };
  std::vector<std::string> names;
  if ((res = files.list(dir_fd, &names).run()) < 0) return io_error("list", "directory");

  std::vector<int64_t> logs, swaps, deleted;
  bool changed = false;
  for (const std::string& name : names) {
    int64_t base = 0;
    if (ends_with(name, ".cleaned")) {
      if ((res = unlink_if_present(files, dir_fd, name)) < 0) return io_error("unlink", name);
      ++stats.cleaned_deleted;
      changed = true;
    } else if (parse_segment_file_name(name, ".log", base)) {
      logs.push_back(base);
    } else if (parse_segment_file_name(name, ".log.swap", base)) {
      swaps.push_back(base);
    } else if (parse_segment_file_name(name, ".log.deleted", base)) {
      deleted.push_back(base);
    }
  }
  std::sort(logs.begin(), logs.end());
  std::sort(swaps.begin(), swaps.end());
  std::sort(deleted.begin(), deleted.end());

  // Committed swaps: finish steps 4-5.
  for (int64_t b : swaps) {
    int64_t end = INT64_MAX;
    if (auto it = std::upper_bound(logs.begin(), logs.end(), b); it != logs.end()) end = *it;
    if (auto it = std::upper_bound(swaps.begin(), swaps.end(), b); it != swaps.end()) end = std::min(end, *it);
    for (auto it = deleted.begin(); it != deleted.end();) {
      if (*it > b && *it < end) {
        for (const char* suffix : {".log.deleted", ".index", ".timeindex"}) {
          if ((res = unlink_if_present(files, dir_fd, segment_file_name(*it, suffix))) < 0) {
            return io_error("unlink", "old segment");
          }
        }
        ++stats.deleted_removed;
        it = deleted.erase(it);
      } else {
        ++it;
      }
    }
    for (const char* suffix : {".index", ".timeindex"}) {
      if ((res = unlink_if_present(files, dir_fd, segment_file_name(b, suffix))) < 0) return io_error("unlink", "old index");
    }
    const std::string from = segment_file_name(b, ".log.swap"), to = segment_file_name(b, ".log");
    if ((res = files.rename(dir_fd, from.c_str(), dir_fd, to.c_str()).run()) < 0) return io_error("rename", from);
    ++stats.swaps_completed;
    changed = true;
  }
  // Uncommitted swaps: put the old segments back.
  for (int64_t x : deleted) {
    const std::string from = segment_file_name(x, ".log.deleted"), to = segment_file_name(x, ".log");
    if (exists_at(files, dir_fd, to)) {
      if ((res = unlink_if_present(files, dir_fd, from)) < 0) return io_error("unlink", from);
      ++stats.deleted_removed;
    } else {
      if ((res = files.rename(dir_fd, from.c_str(), dir_fd, to.c_str()).run()) < 0) return io_error("rename", from);
      ++stats.segments_restored;
    }
    changed = true;
  }
  if (changed && (res = files.fsync(dir_fd).run()) < 0) return io_error("fsync", "directory");
  return {};
}

}  // namespace runnel::storage
