#pragma once

// Blocking file helpers over a synchronous Files (start-up recovery, the cleaner's helper
// thread; never the serving path).

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "broker/model/result.h"
#include "broker/storage/files.h"

namespace runnel::storage {

// Whole file relative to dir_fd into `out`; false if it cannot be opened or read.
bool read_whole_file_at(Files& files, int dir_fd, const char* name, std::vector<uint8_t>& out);
// The blocking helpers' error: the failed step and its errno text, for the person reading the
// start-up log. These paths run once per file, never per record, so a message is affordable.
using IoMessage = std::string;

// Creates/truncates, writes, fdatasyncs, closes.
Result<void, IoMessage> write_file_synced_at(Files& files, int dir_fd, const char* name,
                                             std::span<const uint8_t> bytes);
// Writes all of `len` bytes at `offset`; 0 or -errno.
int pwrite_full(Files& files, int fd, const uint8_t* buf, size_t len, uint64_t offset);
// pread until `len` bytes or EOF; returns the count read or -errno.
int64_t pread_full(Files& files, int fd, uint8_t* buf, size_t len, uint64_t offset);
// Creates `path` and its missing parents, fsyncing each parent that got a new entry, so the
// whole path is durable. Returns 0 or -errno.
int make_dirs_synced(Files& files, const std::string& path);
// The text of -errno.
std::string error_text(const char* what, int neg_errno);

// Sequential reader over a segment file with a growing 1 MiB window, for recovery scans.
class BlockingFileWindow {
 public:
  BlockingFileWindow(Files& files, int fd, uint64_t file_size) : files_(files), fd_(fd), file_size_(file_size) {}
  // Pointer to `len` bytes at `pos`, or nullptr when the file ends before pos + len.
  const uint8_t* at(uint64_t pos, size_t len);

 private:
  Files& files_;
  int fd_;
  uint64_t file_size_;
  uint64_t buf_pos_ = 0;
  std::vector<uint8_t> buf_;
};

}  // namespace runnel::storage
