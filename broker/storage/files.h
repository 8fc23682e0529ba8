#pragma once

// Files: the one seam through which storage touches the file system (LevelDB's Env, file part).
//
// Every open, read, write, sync, truncate, rename, unlink, mkdir, stat and directory listing of
// storage/ is a FileOp started on a Files. Three implementations:
//   RingFiles      (ring_files.h)     the serving path: each op is an io_uring SQE; the awaiting
//                                     coroutine resumes from the CQE
//   BlockingFiles  (blocking_files.h) start-up recovery and the cleaner's helper thread: plain
//                                     syscalls, complete before start() returns
//   FaultFiles     (fault_files.h)    tests: an in-memory file system that remembers what was
//                                     synced, can cut the power and injects errors
//
// A FileOp is an awaitable that lives in the awaiting coroutine's frame (like io::Ring::Op), so
// an operation costs one virtual call and no allocation:
//     int res = co_await files.write(fd, buf, len, offset);
// Synchronous callers (the loader, helper threads) use run() instead, which is only valid on a
// Files whose start() completes inline (sync() is true).
//
// Results are syscall-like: >= 0 on success (bytes, fd, 0), -errno on failure.
// Threading: RingFiles belongs to its ring's thread; BlockingFiles and FaultFiles are
// thread-safe.

#include <sys/stat.h>
#include <sys/types.h>
#include <sys/uio.h>

#include <coroutine>
#include <cstdint>
#include <string>
#include <vector>

#include "broker/io/completion.h"

namespace runnel::storage {

class Files;

enum class FileOpKind : uint8_t {
  read,       // fd, buf, len, offset -> bytes read
  write,      // fd, buf, len, offset -> bytes written
  writev,     // fd, iov, len = iovec count, offset -> bytes written
  fsync,      // fd (file or directory)
  fdatasync,  // fd
  ftruncate,  // fd, offset = new size
  fadvise,    // fd, flags = advice (whole file)
  open,       // fd = dir fd or AT_FDCWD, path, flags, mode -> new fd
  close,      // fd
  unlink,     // fd = dir fd, path, flags (AT_REMOVEDIR for a directory)
  rename,     // fd = old dir fd, path, fd2 = new dir fd, path2
  mkdir,      // fd = dir fd, path, mode
  fstat,      // fd, st
  list,       // fd = directory fd, names (every entry but "." and "..")
};
const char* file_op_name(FileOpKind k);

class FileOp final : public io::Completion {
 public:
  FileOp(Files& files, FileOpKind kind) : kind(kind), files_(&files) {}

  bool await_ready() const noexcept { return false; }
  bool await_suspend(std::coroutine_handle<> h);
  int32_t await_resume() const noexcept { return res; }
  // Blocking use: starts the op on a synchronous Files and returns its result.
  int32_t run();
  void complete(int32_t r, uint32_t) override {
    res = r;
    waiter_.resume();
  }

  FileOpKind kind;
  int fd = -1;
  int fd2 = -1;
  const char* path = nullptr;
  const char* path2 = nullptr;
  void* buf = nullptr;
  const iovec* iov = nullptr;
  uint32_t len = 0;
  uint64_t offset = 0;
  int flags = 0;
  mode_t mode = 0;
  struct stat* st = nullptr;
  std::vector<std::string>* names = nullptr;
  int32_t res = 0;

 private:
  Files* files_;
  std::coroutine_handle<> waiter_;
};

class Files {
 public:
  virtual ~Files() = default;

  // Starts `op`. Returns true when it completes later through op.complete(); false when it has
  // completed already (op.res is set).
  virtual bool start(FileOp& op) = 0;
  // Closes `fd` without waiting for the result (destructors cannot co_await).
  virtual void close_detached(int fd) = 0;
  // True when start() always completes inline (run() may be used).
  virtual bool sync() const = 0;

  FileOp read(int fd, void* buf, uint32_t len, uint64_t offset);
  FileOp write(int fd, const void* buf, uint32_t len, uint64_t offset);
  FileOp writev(int fd, const iovec* iov, unsigned count, uint64_t offset);
  FileOp fsync(int fd);
  FileOp fdatasync(int fd);
  FileOp ftruncate(int fd, uint64_t size);
  FileOp fadvise(int fd, int advice);
  FileOp open(int dir_fd, const char* path, int flags, mode_t mode = 0);
  FileOp close(int fd);
  FileOp unlink(int dir_fd, const char* path, int flags = 0);
  FileOp rename(int old_dir_fd, const char* old_path, int new_dir_fd, const char* new_path);
  FileOp mkdir(int dir_fd, const char* path, mode_t mode);
  FileOp fstat(int fd, struct stat* st);
  FileOp list(int dir_fd, std::vector<std::string>* names);
};

inline bool FileOp::await_suspend(std::coroutine_handle<> h) {
  waiter_ = h;
  return files_->start(*this);
}

}  // namespace runnel::storage
