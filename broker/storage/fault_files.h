#pragma once

// FaultFiles: an in-memory file system for tests that knows what was synced and can cut the
// power (LevelDB's fault_injection_test, for Runnel's Files seam). Synchronous (every op
// completes inside start()) and thread-safe, so it serves both the log's serving path and its
// blocking start-up/cleaner path. Not linked into the broker.
//
// What survives a power cut (power_cut()), the model the storage code must be correct against:
//   - a file's bytes as of its last fsync/fdatasync, plus any subset of the writes and
//     truncations made since, page by page (a write's pages are kept or lost independently;
//     kept ones land in order, so a lost page in the middle of the file reads as zeros or old
//     bytes, and a kept later page extends the size);
//   - a directory's entries as of its last fsync, plus any subset of the creates, unlinks and
//     renames made since, in order per name: an operation on a name is lost when an earlier
//     unsynced one on that name was. Operations on different names are independent, which is
//     stricter than ext4 or XFS (their journals commit directory operations in order) but is
//     what POSIX promises: only an fsync of the directory orders them.
//   - a file whose entry did not survive is gone, whatever was synced into it.
// process_crash() is a kill -9: open files are closed, nothing is lost (the page cache stays).
//
// Faults: power_off_after(n) lets n more state-changing operations run; the next one and every
// later one fail with -EIO and change nothing (the machine is dying), until power_cut(). A hook
// can fail chosen operations with any errno (EIO on a path, ...), and a capacity makes writes
// that would grow the data beyond it fail with -ENOSPC (set it back and space "returns").

#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <random>
#include <string>
#include <unordered_map>
#include <vector>

#include "broker/storage/env.h"
#include "broker/storage/files.h"

namespace runnel::storage {

class FaultFiles final : public Files {
 public:
  explicit FaultFiles(const Clock& clock);

  bool start(FileOp& op) override;
  void close_detached(int fd) override;
  bool sync() const override { return true; }

  // --- power ---
  void power_off_after(uint64_t ops);
  bool powered_off() const;
  // Restart after a power loss: fds closed; each file and directory becomes its synced state
  // plus the unsynced changes that `rng` keeps, each with probability keep_probability (see
  // above); the result is the new synced state. Power is on again.
  void power_cut(std::mt19937_64& rng, double keep_probability);
  // Restart after kill -9: fds closed, nothing lost or synced.
  void process_crash();
  // State-changing operations so far (writes, syncs, truncations, creates, unlinks, renames,
  // mkdirs): what power_off_after counts.
  uint64_t mutating_ops() const;

  // --- errors ---
  // Consulted before every operation with its kind and the path it concerns (the file's path at
  // open for fd operations); a non-zero return (-errno) fails the op without effect.
  using FaultHook = std::function<int(FileOpKind kind, const std::string& path)>;
  void set_fault_hook(FaultHook hook);
  // File bytes the disk holds in all; UINT64_MAX (the default) for no limit.
  void set_capacity(uint64_t bytes);
  uint64_t used_bytes() const;

  // --- inspection ---
  bool exists(const std::string& path) const;
  // Current contents (what a read sees); empty if missing.
  std::vector<uint8_t> contents(const std::string& path) const;
  std::vector<std::string> list_dir(const std::string& path) const;
  size_t open_files() const;

 private:
  struct Change {
    bool truncate = false;
    uint64_t offset = 0;  // write position, or the new size of a truncation
    std::vector<uint8_t> bytes;
  };
  struct DirChange {
    enum class Kind : uint8_t { link, unlink, rename } kind;
    std::string name, name2;  // rename: name -> name2
    uint64_t node = 0;
  };
  struct Node {
    bool dir = false;
    std::vector<uint8_t> data;    // what reads see
    std::vector<uint8_t> synced;  // what a power cut keeps for sure
    std::vector<Change> unsynced;
    int64_t mtime_ms = 0;
    std::map<std::string, uint64_t> entries, synced_entries;
    std::vector<DirChange> dir_unsynced;
  };
  struct OpenFile {
    uint64_t node = 0;
    std::string path;
  };

  int32_t execute(FileOp& op);
  int32_t do_open(FileOp& op);
  int32_t do_write(uint64_t node, uint64_t offset, const uint8_t* p, size_t n);
  int32_t do_truncate(uint64_t node, uint64_t size);
  int32_t do_unlink(FileOp& op);
  int32_t do_rename(FileOp& op);
  int32_t do_sync(uint64_t node);
  // Resolves `path` relative to dir_fd (AT_FDCWD: the root) to (parent directory, last name);
  // name is empty when path names the start directory or the root itself.
  int32_t resolve_parent(int dir_fd, const char* path, uint64_t& parent, std::string& name, std::string& full) const;
  int32_t lookup(int dir_fd, const char* path, uint64_t& node) const;
  const OpenFile* open_file(int fd) const;
  uint64_t new_node(bool dir);
  void link(uint64_t dir, const std::string& name, uint64_t node);
  uint64_t used_locked() const;
  void collect_garbage();
  static bool mutating(const FileOp& op);

  const Clock& clock_;
  mutable std::mutex mu_;
  std::unordered_map<uint64_t, Node> nodes_;
  uint64_t next_node_ = 2;
  static constexpr uint64_t kRoot = 1;
  std::map<int, OpenFile> fds_;
  int next_fd_ = 1000;
  uint64_t mutating_ops_ = 0;
  uint64_t power_off_at_ = UINT64_MAX;
  bool powered_off_ = false;
  FaultHook hook_;
  uint64_t capacity_ = UINT64_MAX;
};

}  // namespace runnel::storage
