#pragma once

// Blocking file helpers for start-up recovery only (never on the serving path).

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace runnel::storage {

// Whole file relative to dir_fd into `out`; false if it cannot be opened or read.
bool read_whole_file_at(int dir_fd, const char* name, std::vector<uint8_t>& out);
// Creates/truncates, writes, fdatasyncs, closes.
bool write_file_synced_at(int dir_fd, const char* name, std::span<const uint8_t> bytes, std::string* error);
// pread until `len` bytes or EOF; returns the count read or -errno.
int64_t pread_full(int fd, uint8_t* buf, size_t len, uint64_t offset);

// Sequential reader over a segment file with a growing 1 MiB window, for recovery scans.
class BlockingFileWindow {
 public:
  BlockingFileWindow(int fd, uint64_t file_size) : fd_(fd), file_size_(file_size) {}
  // Pointer to `len` bytes at `pos`, or nullptr when the file ends before pos + len.
  const uint8_t* at(uint64_t pos, size_t len);

 private:
  int fd_;
  uint64_t file_size_;
  uint64_t buf_pos_ = 0;
  std::vector<uint8_t> buf_;
};

}  // namespace runnel::storage
