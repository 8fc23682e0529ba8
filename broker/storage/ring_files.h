#pragma once

// Files on an io_uring: each op becomes one SQE whose user_data is the FileOp itself, and the
// awaiting coroutine resumes from its CQE (the serving path: no thread blocks on the disk).
// Ops io_uring has no opcode for (fstat and list, used at start-up only; ftruncate on kernels
// before 6.9) run as blocking syscalls inside start(). Ring thread only.

#include "broker/io/ring.h"
#include "broker/storage/files.h"

namespace runnel::storage {

class RingFiles final : public Files {
 public:
  explicit RingFiles(io::Ring& ring) : ring_(ring) {}

  bool start(FileOp& op) override;
  // Queues the close on the ring; off the ring's thread (a log opened by a start-up or helper
  // thread) it closes with a plain close().
  void close_detached(int fd) override;
  bool sync() const override { return false; }

 private:
  bool ftruncate_supported();

  io::Ring& ring_;
  int ftruncate_supported_ = -1;  // unknown until the first ftruncate
};

}  // namespace runnel::storage
