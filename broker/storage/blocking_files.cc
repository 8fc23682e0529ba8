#include "broker/storage/blocking_files.h"

#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace runnel::storage {
namespace {

int32_t result(ssize_t r) { return r < 0 ? -errno : int32_t(r); }

int32_t list_dir(int dir_fd, std::vector<std::string>& names) {
  // A fresh open file description: a dup() would share (and leave at the end) the directory
  // offset with every other listing of the same fd.
  const int fd = ::openat(dir_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return -errno;
  DIR* d = ::fdopendir(fd);
  if (d == nullptr) {
    const int err = errno;
    ::close(fd);
    return -err;
  }
  names.clear();
  while (dirent* e = ::readdir(d)) {
    if (std::strcmp(e->d_name, ".") != 0 && std::strcmp(e->d_name, "..") != 0) names.emplace_back(e->d_name);
  }
  ::closedir(d);
  return 0;
}

}  // namespace

int32_t run_blocking_syscall(const FileOp& op) {
  while (true) {
    int32_t r = 0;
    switch (op.kind) {
      case FileOpKind::read: r = result(::pread(op.fd, op.buf, op.len, off_t(op.offset))); break;
      case FileOpKind::write: r = result(::pwrite(op.fd, op.buf, op.len, off_t(op.offset))); break;
      case FileOpKind::writev: r = result(::pwritev(op.fd, op.iov, int(op.len), off_t(op.offset))); break;
      case FileOpKind::fsync: r = result(::fsync(op.fd)); break;
      case FileOpKind::fdatasync: r = result(::fdatasync(op.fd)); break;
      case FileOpKind::ftruncate: r = result(::ftruncate(op.fd, off_t(op.offset))); break;
      case FileOpKind::fadvise: r = -::posix_fadvise(op.fd, 0, 0, op.flags); break;
      case FileOpKind::open: r = result(::openat(op.fd, op.path, op.flags, op.mode)); break;
      case FileOpKind::close: r = result(::close(op.fd)); return r;  // never retried (EINTR)
      case FileOpKind::unlink: r = result(::unlinkat(op.fd, op.path, op.flags)); break;
      case FileOpKind::rename: r = result(::renameat(op.fd, op.path, op.fd2, op.path2)); break;
      case FileOpKind::mkdir: r = result(::mkdirat(op.fd, op.path, op.mode)); break;
      case FileOpKind::fstat: r = result(::fstat(op.fd, op.st)); break;
      case FileOpKind::list: r = list_dir(op.fd, *op.names); break;
    }
    if (r != -EINTR) return r;
  }
}

BlockingFiles& BlockingFiles::instance() {
  static BlockingFiles files;
  return files;
}

bool BlockingFiles::start(FileOp& op) {
  op.res = run_blocking_syscall(op);
  return false;
}

void BlockingFiles::close_detached(int fd) { ::close(fd); }

}  // namespace runnel::storage
