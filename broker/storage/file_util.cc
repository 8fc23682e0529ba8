#include "broker/storage/file_util.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace runnel::storage {

int64_t pread_full(int fd, uint8_t* buf, size_t len, uint64_t offset) {
  size_t done = 0;
  while (done < len) {
    ssize_t n = ::pread(fd, buf + done, len - done, off_t(offset + done));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return -errno;
    if (n == 0) break;
    done += size_t(n);
  }
  return int64_t(done);
}

bool read_whole_file_at(int dir_fd, const char* name, std::vector<uint8_t>& out) {
  int fd = ::openat(dir_fd, name, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  struct stat st {};
  bool ok = ::fstat(fd, &st) == 0;
  if (ok) {
    out.resize(size_t(st.st_size));
    ok = pread_full(fd, out.data(), out.size(), 0) == int64_t(out.size());
  }
  ::close(fd);
  return ok;
}

bool write_file_synced_at(int dir_fd, const char* name, std::span<const uint8_t> bytes, std::string* error) {
  int fd = ::openat(dir_fd, name, O_CREAT | O_WRONLY | O_TRUNC | O_CLOEXEC, 0644);
  bool ok = fd >= 0;
  size_t done = 0;
  while (ok && done < bytes.size()) {
    ssize_t n = ::pwrite(fd, bytes.data() + done, bytes.size() - done, off_t(done));
    if (n < 0 && errno == EINTR) continue;
    ok = n > 0;
    if (ok) done += size_t(n);
  }
  ok = ok && ::fdatasync(fd) == 0;
  if (!ok && error) *error = std::string("write ") + name + ": " + std::strerror(errno);
  if (fd >= 0) ::close(fd);
  return ok;
}

const uint8_t* BlockingFileWindow::at(uint64_t pos, size_t len) {
  if (pos + len > file_size_) return nullptr;
  if (pos >= buf_pos_ && pos + len <= buf_pos_ + buf_.size()) return buf_.data() + (pos - buf_pos_);
  const size_t want = size_t(std::min<uint64_t>(std::max<size_t>(len, 1 << 20), file_size_ - pos));
  buf_.resize(want);
  int64_t n = pread_full(fd_, buf_.data(), want, pos);
  buf_pos_ = pos;
  if (n < int64_t(len)) {
    buf_.clear();
    return nullptr;
  }
  buf_.resize(size_t(n));
  return buf_.data();
}

}  // namespace runnel::storage
