#include "broker/storage/ring_files.h"

#include <unistd.h>

#include "broker/storage/blocking_files.h"

namespace runnel::storage {
namespace {

// liburing 2.3 predates IORING_OP_FTRUNCATE (and its prep helper); the value is the kernel ABI's.
constexpr int kOpFtruncate = 55;

// Completion for fire-and-forget closes: a static object, so nothing has to outlive the code
// that queued the operation.
struct IgnoreResult final : io::Completion {
  void complete(int32_t, uint32_t) override {}
};
IgnoreResult ignore_result;

}  // namespace

bool RingFiles::ftruncate_supported() {
  if (ftruncate_supported_ < 0) {
    io_uring_probe* probe = io_uring_get_probe_ring(ring_.raw());
    ftruncate_supported_ = probe != nullptr && io_uring_opcode_supported(probe, kOpFtruncate) ? 1 : 0;
    if (probe != nullptr) io_uring_free_probe(probe);
  }
  return ftruncate_supported_ == 1;
}

bool RingFiles::start(FileOp& op) {
  if (op.kind == FileOpKind::fstat || op.kind == FileOpKind::list ||
      (op.kind == FileOpKind::ftruncate && !ftruncate_supported())) {
    op.res = run_blocking_syscall(op);
    return false;
  }
  io_uring_sqe* s = ring_.sqe();
  switch (op.kind) {
    case FileOpKind::read: io_uring_prep_read(s, op.fd, op.buf, op.len, op.offset); break;
    case FileOpKind::write: io_uring_prep_write(s, op.fd, op.buf, op.len, op.offset); break;
    case FileOpKind::writev: io_uring_prep_writev(s, op.fd, op.iov, op.len, op.offset); break;
    case FileOpKind::fsync: io_uring_prep_fsync(s, op.fd, 0); break;
    case FileOpKind::fdatasync: io_uring_prep_fsync(s, op.fd, IORING_FSYNC_DATASYNC); break;
    case FileOpKind::ftruncate: io_uring_prep_rw(kOpFtruncate, s, op.fd, nullptr, 0, op.offset); break;
    case FileOpKind::fadvise: io_uring_prep_fadvise(s, op.fd, 0, 0, op.flags); break;
    case FileOpKind::open: io_uring_prep_openat(s, op.fd, op.path, op.flags, op.mode); break;
    case FileOpKind::close: io_uring_prep_close(s, op.fd); break;
    case FileOpKind::unlink: io_uring_prep_unlinkat(s, op.fd, op.path, op.flags); break;
    case FileOpKind::rename: io_uring_prep_renameat(s, op.fd, op.path, op.fd2, op.path2, 0); break;
    case FileOpKind::mkdir: io_uring_prep_mkdirat(s, op.fd, op.path, op.mode); break;
    case FileOpKind::fstat:
    case FileOpKind::list: break;  // handled above
  }
  io_uring_sqe_set_data(s, static_cast<io::Completion*>(&op));
  return true;
}

void RingFiles::close_detached(int fd) {
  if (io::Ring::current() != &ring_) {
    ::close(fd);
    return;
  }
  io_uring_sqe* s = ring_.sqe();
  io_uring_prep_close(s, fd);
  io_uring_sqe_set_data(s, static_cast<io::Completion*>(&ignore_result));
}

}  // namespace runnel::storage
