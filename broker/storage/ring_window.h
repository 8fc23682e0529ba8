#pragma once

// Reads byte ranges of a segment through the log's Files (the ring), caching one window so that
// walking batch headers costs one read per window rather than one per batch. Serving path only; never reads at
// or past the segment's written size when the window was made, so it sees only completed writes.
// The partial last page of a segment being appended to comes from Segment::tail, not the file
// (segment_appender.h).

#include <cstdint>
#include <vector>

#include "broker/io/task.h"
#include "broker/model/byte_buffer.h"
#include "broker/storage/files.h"
#include "broker/storage/segment.h"

namespace runnel::storage {

class RingWindow {
 public:
  static constexpr size_t kWindowBytes = 64 * 1024;
  // The caller keeps `seg` alive (it holds the shared_ptr) for the window's lifetime.
  RingWindow(Files& files, const Segment& seg) : files_(files), seg_(seg), limit_(seg.size_written) {}

  // Pointer to `len` bytes at `pos` (valid until the next call), or nullptr past the limit or on
  // a read error (error() < 0 then).
  io::Task<const uint8_t*> at(uint64_t pos, size_t len);
  // Reads [pos, pos + len) into `out` (appended). Returns 0 or -errno (-EIO on a short file).
  io::Task<int> read_into(uint64_t pos, size_t len, ByteBuffer& out);
  int error() const { return error_; }
  // How much at() reads when it must read (at least what it is asked for). Walking the headers of
  // large batches, a whole window per header would copy bytes only to skip them.
  void set_read_bytes(size_t n) { read_bytes_ = n; }

 private:
  Files& files_;
  const Segment& seg_;
  uint64_t limit_;
  uint64_t buf_pos_ = 0;
  ByteBuffer buf_;
  size_t read_bytes_ = kWindowBytes;
  int error_ = 0;
};

}  // namespace runnel::storage
