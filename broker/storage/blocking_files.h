#pragma once

// Files over plain blocking syscalls: every op completes inside start(). For start-up recovery
// (before a log serves) and the cleaner's helper thread, never for the ring thread's serving
// path. Stateless, so one instance serves every thread (BlockingFiles::instance()).

#include "broker/storage/files.h"

namespace runnel::storage {

class BlockingFiles final : public Files {
 public:
  static BlockingFiles& instance();

  bool start(FileOp& op) override;
  void close_detached(int fd) override;
  bool sync() const override { return true; }
};

// Runs `op` with blocking syscalls and returns its result (shared with RingFiles for the ops
// io_uring has no opcode for).
int32_t run_blocking_syscall(const FileOp& op);

}  // namespace runnel::storage
