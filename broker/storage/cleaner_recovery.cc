#include "broker/storage/cleaner_recovery.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <vector>

#include "broker/storage/segment.h"

namespace runnel::storage {
namespace {

bool ends_with(const std::string& s, const char* suffix) {
  const size_t n = std::strlen(suffix);
  return s.size() >= n && s.compare(s.size() - n, n, suffix) == 0;
}

bool exists_at(int dir_fd, const std::string& name) {
  struct stat st {};
  return ::fstatat(dir_fd, name.c_str(), &st, 0) == 0;
}

bool unlink_if_present(int dir_fd, const std::string& name) {
  return ::unlinkat(dir_fd, name.c_str(), 0) == 0 || errno == ENOENT;
}

}  // namespace

bool recover_interrupted_cleaning(int dir_fd, CleanerRecoveryStats& stats, std::string* error) {
  auto io_error = [&](const char* what, const std::string& name) {
    if (error) *error = std::string(what) + " " + name + ": " + std::strerror(errno);
    return false;
  };
  // A fresh open file description: a dup() would share (and leave at the end) the directory
  // offset that the loader's own listing starts from.
  const int list_fd = ::openat(dir_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  DIR* d = list_fd < 0 ? nullptr : ::fdopendir(list_fd);
  if (d == nullptr) {
    if (list_fd >= 0) ::close(list_fd);
    return io_error("opendir", "");
  }
  std::vector<std::string> names;
  while (dirent* e = ::readdir(d)) names.emplace_back(e->d_name);
  ::closedir(d);

  std::vector<int64_t> logs, swaps, deleted;
  bool changed = false;
  for (const std::string& name : names) {
    int64_t base = 0;
    if (ends_with(name, ".cleaned")) {
      if (!unlink_if_present(dir_fd, name)) return io_error("unlink", name);
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
          if (!unlink_if_present(dir_fd, segment_file_name(*it, suffix))) return io_error("unlink", "old segment");
        }
        ++stats.deleted_removed;
        it = deleted.erase(it);
      } else {
        ++it;
      }
    }
    for (const char* suffix : {".index", ".timeindex"}) {
      if (!unlink_if_present(dir_fd, segment_file_name(b, suffix))) return io_error("unlink", "old index");
    }
    const std::string from = segment_file_name(b, ".log.swap"), to = segment_file_name(b, ".log");
    if (::renameat(dir_fd, from.c_str(), dir_fd, to.c_str()) != 0) return io_error("rename", from);
    ++stats.swaps_completed;
    changed = true;
  }
  // Uncommitted swaps: put the old segments back.
  for (int64_t x : deleted) {
    const std::string from = segment_file_name(x, ".log.deleted"), to = segment_file_name(x, ".log");
    if (exists_at(dir_fd, to)) {
      if (!unlink_if_present(dir_fd, from)) return io_error("unlink", from);
      ++stats.deleted_removed;
    } else {
      if (::renameat(dir_fd, from.c_str(), dir_fd, to.c_str()) != 0) return io_error("rename", from);
      ++stats.segments_restored;
    }
    changed = true;
  }
  if (changed && ::fsync(dir_fd) != 0) return io_error("fsync", "directory");
  return true;
}

}  // namespace runnel::storage
