#pragma once

// Reads byte ranges of a segment file through the ring, caching one window so that walking
// batch headers costs one read per window rather than one per batch. Serving path only; never
// reads at or past `limit` (the segment's written size), so it sees only completed writes.

#include <cstdint>
#include <vector>

#include "broker/io/ring.h"
#include "broker/io/task.h"

namespace runnel::storage {

class RingWindow {
 public:
  static constexpr size_t kWindowBytes = 64 * 1024;
  RingWindow(io::Ring& ring, int fd, uint64_t limit) : ring_(ring), fd_(fd), limit_(limit) {}

  // Pointer to `len` bytes at `pos` (valid until the next call), or nullptr past the limit or on
  // a read error (error() < 0 then).
  io::Task<const uint8_t*> at(uint64_t pos, size_t len);
  // Reads [pos, pos + len) into `out` (appended). Returns 0 or -errno (-EIO on a short file).
  io::Task<int> read_into(uint64_t pos, size_t len, std::vector<uint8_t>& out);
  int error() const { return error_; }

 private:
  io::Ring& ring_;
  int fd_;
  uint64_t limit_;
  uint64_t buf_pos_ = 0;
  std::vector<uint8_t> buf_;
  int error_ = 0;
};

}  // namespace runnel::storage
