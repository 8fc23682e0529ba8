#include "broker/storage/segment_appender.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>
#include <vector>

#include "broker/model/assert.h"
#include "broker/storage/recent_writes.h"
#include "broker/storage/staging_pool.h"

namespace runnel::storage {
namespace {
// Bounds a segment's list of kept writes when writes are tiny (the byte budget is per thread).
constexpr size_t kMaxKeptPerSegment = 256;
}  // namespace

io::Task<int> prepare_appends(LogEnv& env, int dir_fd, Segment& seg) {
  if (seg.tail) co_return 0;
  RUNNEL_ASSERT(seg.fd >= 0 && seg.dio_fd < 0, "segment %lld not open for appends", (long long)seg.base_offset.value());
  const std::string name = segment_file_name(seg.base_offset.value(), ".log");
  int fd = co_await env.files.open(dir_fd, name.c_str(), O_WRONLY | O_DIRECT | O_CLOEXEC);
  if (fd == -EINVAL) {
    fd = seg.fd;  // no O_DIRECT on this filesystem: aligned writes through the page cache
  } else if (fd < 0) {
    co_return fd;
  }
  seg.dio_fd = fd;
  int res = co_await env.files.fadvise(seg.fd, POSIX_FADV_RANDOM);
  if (res < 0) co_return res;
  auto tail = std::make_unique<uint8_t[]>(kPageBytes);
  const uint64_t floor = page_floor(seg.size_written);
  for (uint64_t done = floor; done < seg.size_written;) {
    res = co_await env.files.read(seg.fd, tail.get() + (done - floor), uint32_t(seg.size_written - done), done);
    if (res <= 0) co_return res == 0 ? -EIO : res;
    done += uint64_t(res);
  }
  seg.file_readable = floor;
  seg.tail = std::move(tail);
  co_return 0;
}

io::Task<int> append_direct(LogEnv& env, Segment& seg, uint64_t start, const iovec* iov, size_t n,
                            uint64_t total) {
  RUNNEL_ASSERT(seg.tail && seg.dio_fd >= 0, "append to segment %lld before prepare_appends",
                (long long)seg.base_offset.value());
  RUNNEL_ASSERT(start == seg.size_written && page_floor(start) == seg.file_readable,
                "append at %llu, written %llu", (unsigned long long)start, (unsigned long long)seg.size_written);
  const uint64_t base = seg.file_readable;
  const auto head = size_t(start - base);
  auto staged = std::make_unique<StagingBuffer>(env.staging, head + total);
  StagingBuffer& buf = *staged;
  buf.write(0, seg.tail.get(), head);
  size_t at = head;
  for (size_t i = 0; i < n; ++i) {
    buf.write(at, iov[i].iov_base, iov[i].iov_len);
    at += iov[i].iov_len;
  }
  RUNNEL_ASSERT(at == head + total, "iovecs hold %zu bytes, expected %llu", at - head, (unsigned long long)total);
  buf.zero(at, buf.size() - at);
  std::vector<iovec> left = buf.iovecs();
  size_t first = 0;
  for (uint64_t done = 0; done < buf.size();) {
    int res = co_await env.files.writev(seg.dio_fd, left.data() + first, unsigned(left.size() - first), base + done);
    if (res <= 0) co_return res == 0 ? -EIO : res;
    done += uint64_t(res);
    // Short write: skip the blocks written and trim the partial one.
    auto rest = size_t(res);
    while (first < left.size() && rest >= left[first].iov_len) rest -= left[first++].iov_len;
    if (first < left.size()) {
      left[first].iov_base = static_cast<uint8_t*>(left[first].iov_base) + rest;
      left[first].iov_len -= rest;
    }
  }
  // Readers switch to the file for every page now complete, and to the new tail for the rest.
  const uint64_t end = start + total;
  const uint64_t floor = page_floor(end);
  buf.read(size_t(floor - base), seg.tail.get(), size_t(end - floor));
  seg.file_readable = floor;
  // Keep the buffer for readers at the tail (recent_writes.h).
  auto kept = std::make_shared<RecentWrite>();
  kept->base = base;
  kept->end = end;
  kept->buf = std::move(staged);
  seg.recent.push_back(kept);
  env.recent.add(kept);
  while (!seg.recent.empty() && (!seg.recent.front()->buf || seg.recent.size() > kMaxKeptPerSegment)) {
    seg.recent.pop_front();
  }
  co_return 0;
}

io::Task<int> finish_appends(LogEnv& env, Segment& seg) {
  if (!seg.tail) co_return 0;
  int res = co_await env.files.ftruncate(seg.fd, seg.size_written);
  if (res < 0) co_return res;
  seg.tail.reset();  // the file now holds every byte: readers use it alone
  seg.recent.clear();
  if (seg.dio_fd != seg.fd) co_await env.files.close(seg.dio_fd);
  seg.dio_fd = -1;
  res = co_await env.files.fadvise(seg.fd, POSIX_FADV_NORMAL);
  co_return res < 0 ? res : 1;
}

}  // namespace runnel::storage
