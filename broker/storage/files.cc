#include "broker/storage/files.h"

#include "broker/model/assert.h"

namespace runnel::storage {

const char* file_op_name(FileOpKind k) {
  switch (k) {
    case FileOpKind::read: return "read";
    case FileOpKind::write: return "write";
    case FileOpKind::writev: return "writev";
    case FileOpKind::fsync: return "fsync";
    case FileOpKind::fdatasync: return "fdatasync";
    case FileOpKind::ftruncate: return "ftruncate";
    case FileOpKind::fadvise: return "fadvise";
    case FileOpKind::open: return "open";
    case FileOpKind::close: return "close";
    case FileOpKind::unlink: return "unlink";
    case FileOpKind::rename: return "rename";
    case FileOpKind::mkdir: return "mkdir";
    case FileOpKind::fstat: return "fstat";
    case FileOpKind::list: return "list";
  }
  return "?";
}

int32_t FileOp::run() {
  const bool pending = files_->start(*this);
  RUNNEL_ASSERT(!pending, "blocking %s on an asynchronous Files", file_op_name(kind));
  return res;
}

namespace {

// Ops on a byte range of an fd (read, write, writev), and ops naming a path (open, unlink, mkdir).
FileOp range_op(Files& files, FileOpKind kind, int fd, void* buf, const iovec* iov, uint32_t len, uint64_t offset) {
  FileOp op(files, kind);
  op.fd = fd;
  op.buf = buf;
  op.iov = iov;
  op.len = len;
  op.offset = offset;
  return op;
}

FileOp path_op(Files& files, FileOpKind kind, int dir_fd, const char* path, int flags, mode_t mode) {
  FileOp op(files, kind);
  op.fd = dir_fd;
  op.path = path;
  op.flags = flags;
  op.mode = mode;
  return op;
}

FileOp fd_op(Files& files, FileOpKind kind, int fd) {
  FileOp op(files, kind);
  op.fd = fd;
  return op;
}

}  // namespace

FileOp Files::read(int fd, void* buf, uint32_t len, uint64_t offset) {
  return range_op(*this, FileOpKind::read, fd, buf, nullptr, len, offset);
}
FileOp Files::write(int fd, const void* buf, uint32_t len, uint64_t offset) {
  return range_op(*this, FileOpKind::write, fd, const_cast<void*>(buf), nullptr, len, offset);
}
FileOp Files::writev(int fd, const iovec* iov, unsigned count, uint64_t offset) {
  return range_op(*this, FileOpKind::writev, fd, nullptr, iov, count, offset);
}
FileOp Files::fsync(int fd) { return fd_op(*this, FileOpKind::fsync, fd); }
FileOp Files::fdatasync(int fd) { return fd_op(*this, FileOpKind::fdatasync, fd); }
FileOp Files::close(int fd) { return fd_op(*this, FileOpKind::close, fd); }
FileOp Files::ftruncate(int fd, uint64_t size) { return range_op(*this, FileOpKind::ftruncate, fd, nullptr, nullptr, 0, size); }
FileOp Files::fadvise(int fd, int advice) {
  FileOp op = fd_op(*this, FileOpKind::fadvise, fd);
  op.flags = advice;
  return op;
}
FileOp Files::open(int dir_fd, const char* path, int flags, mode_t mode) {
  return path_op(*this, FileOpKind::open, dir_fd, path, flags, mode);
}
FileOp Files::unlink(int dir_fd, const char* path, int flags) {
  return path_op(*this, FileOpKind::unlink, dir_fd, path, flags, 0);
}
FileOp Files::mkdir(int dir_fd, const char* path, mode_t mode) {
  return path_op(*this, FileOpKind::mkdir, dir_fd, path, 0, mode);
}
FileOp Files::rename(int old_dir_fd, const char* old_path, int new_dir_fd, const char* new_path) {
  FileOp op = path_op(*this, FileOpKind::rename, old_dir_fd, old_path, 0, 0);
  op.fd2 = new_dir_fd;
  op.path2 = new_path;
  return op;
}
FileOp Files::fstat(int fd, struct stat* st) {
  FileOp op = fd_op(*this, FileOpKind::fstat, fd);
  op.st = st;
  return op;
}
FileOp Files::list(int dir_fd, std::vector<std::string>* names) {
  FileOp op = fd_op(*this, FileOpKind::list, dir_fd);
  op.names = names;
  return op;
}

}  // namespace runnel::storage
