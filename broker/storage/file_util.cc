#include "broker/storage/file_util.h"

#include <fcntl.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace runnel::storage {

std::string error_text(const char* what, int neg_errno) {
  return std::string(what) + ": " + std::strerror(-neg_errno);
}

int64_t pread_full(Files& files, int fd, uint8_t* buf, size_t len, uint64_t offset) {
  size_t done = 0;
  while (done < len) {
    const int32_t n = files.read(fd, buf + done, uint32_t(std::min<size_t>(len - done, 1u << 30)), offset + done).run();
    if (n < 0) return n;
    if (n == 0) break;
    done += size_t(n);
  }
  return int64_t(done);
}

int pwrite_full(Files& files, int fd, const uint8_t* buf, size_t len, uint64_t offset) {
  for (size_t done = 0; done < len;) {
    const int32_t n = files.write(fd, buf + done, uint32_t(std::min<size_t>(len - done, 1u << 30)), offset + done).run();
    if (n < 0) return n;
    if (n == 0) return -EIO;
    done += size_t(n);
  }
  return 0;
}

bool read_whole_file_at(Files& files, int dir_fd, const char* name, std::vector<uint8_t>& out) {
  const int fd = files.open(dir_fd, name, O_RDONLY | O_CLOEXEC).run();
  if (fd < 0) return false;
  struct stat st {};
  bool ok = files.fstat(fd, &st).run() == 0;
  if (ok) {
    out.resize(size_t(st.st_size));
    ok = pread_full(files, fd, out.data(), out.size(), 0) == int64_t(out.size());
  }
  files.close(fd).run();
  return ok;
}

Result<void, IoMessage> write_file_synced_at(Files& files, int dir_fd, const char* name,
                                             std::span<const uint8_t> bytes) {
  const int fd = files.open(dir_fd, name, O_CREAT | O_WRONLY | O_TRUNC | O_CLOEXEC, 0644).run();
  int res = fd < 0 ? fd : pwrite_full(files, fd, bytes.data(), bytes.size(), 0);
  if (res >= 0) res = files.fdatasync(fd).run();
  if (fd >= 0) files.close(fd).run();
  if (res < 0) return Unexpected(error_text((std::string("write ") + name).c_str(), res));
  return {};
}

int make_dirs_synced(Files& files, const std::string& path) {
  if (path.empty()) return 0;
  const int probe = files.open(AT_FDCWD, path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC).run();
  if (probe >= 0) {
    files.close(probe).run();
    return 0;
  }
  if (probe != -ENOENT) return probe;
  const size_t slash = path.find_last_of('/');
  const std::string parent = slash == std::string::npos ? "." : slash == 0 ? "/" : path.substr(0, slash);
  if (parent != path) {
    if (int res = make_dirs_synced(files, parent); res < 0) return res;
  }
  int res = files.mkdir(AT_FDCWD, path.c_str(), 0755).run();
  if (res < 0 && res != -EEXIST) return res;
  // The new entry lives in the parent: only the parent's fsync makes it durable.
  const int pfd = files.open(AT_FDCWD, parent.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC).run();
  if (pfd < 0) return pfd;
  res = files.fsync(pfd).run();
  files.close(pfd).run();
  return res < 0 ? res : 0;
}

const uint8_t* BlockingFileWindow::at(uint64_t pos, size_t len) {
  if (pos + len > file_size_) return nullptr;
  if (pos >= buf_pos_ && pos + len <= buf_pos_ + buf_.size()) return buf_.data() + (pos - buf_pos_);
  const size_t want = size_t(std::min<uint64_t>(std::max<size_t>(len, 1 << 20), file_size_ - pos));
  buf_.resize(want);
  int64_t n = pread_full(files_, fd_, buf_.data(), want, pos);
  buf_pos_ = pos;
  if (n < int64_t(len)) {
    buf_.clear();
    return nullptr;
  }
  buf_.resize(size_t(n));
  return buf_.data();
}

}  // namespace runnel::storage
