#include "broker/storage/ring_window.h"

#include <algorithm>
#include <cerrno>

namespace runnel::storage {

io::Task<int> RingWindow::read_into(uint64_t pos, size_t len, std::vector<uint8_t>& out) {
  if (pos + len > limit_) co_return -EIO;
  const size_t base = out.size();
  out.resize(base + len);
  size_t done = 0;
  while (done < len) {
    int res = co_await ring_.read(fd_, out.data() + base + done, uint32_t(len - done), pos + done);
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
  const size_t want = size_t(std::min<uint64_t>(std::max(len, kWindowBytes), limit_ - pos));
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
