#include "broker/storage/ring_window.h"

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "broker/model/assert.h"
#include "broker/storage/staging_pool.h"

namespace runnel::storage {

io::Task<int> RingWindow::read_into(uint64_t pos, size_t len, ByteBuffer& out) {
  if (pos + len > limit_) co_return -EIO;
  const size_t base = out.size();
  out.resize(base + len);
  size_t done = 0;
  while (done < len) {
    // Re-evaluated after every read: the writer may have moved the boundary meanwhile.
    const uint64_t at = pos + done;
    if (size_t n = read_recent(seg_.recent, at, out.data() + base + done, len - done); n > 0) {
      done += n;  // a kept write buffer: no disk read for data at the tail
      continue;
    }
    const uint64_t file_end = seg_.tail ? seg_.file_readable : UINT64_MAX;
    if (at >= file_end) {
      RUNNEL_ASSERT(pos + len <= seg_.size_written && pos + len - file_end <= kPageBytes,
                    "tail read [%llu, %llu) outside [%llu, %llu)", (unsigned long long)at,
                    (unsigned long long)(pos + len), (unsigned long long)file_end,
                    (unsigned long long)seg_.size_written);
      std::memcpy(out.data() + base + done, seg_.tail.get() + (at - file_end), len - done);
      break;
    }
    const auto chunk = uint32_t(std::min<uint64_t>(len - done, file_end - at));
    int res = co_await files_.read(seg_.fd, out.data() + base + done, chunk, at);
    if (res <= 0) {
      out.resize(base);
      co_return res == 0 ? -EIO : res;
    }
    done += size_t(res);
  }
  co_return 0;
}

io::Task<const uint8_t*> RingWindow::at(uint64_t pos, size_t len) {
  if (pos + len > limit_) co_return nullptr;
  if (pos >= buf_pos_ && pos + len <= buf_pos_ + buf_.size()) co_return buf_.data() + (pos - buf_pos_);
  const size_t want = size_t(std::min<uint64_t>(std::max(len, read_bytes_), limit_ - pos));
  buf_.clear();
  buf_pos_ = pos;
  int res = co_await read_into(pos, want, buf_);
  if (res < 0) {
    error_ = res;
    co_return nullptr;
  }
  co_return buf_.data();
}

}  // namespace runnel::storage
