#include "broker/storage/recent_writes.h"

#include <algorithm>

namespace runnel::storage {

RecentWrite::~RecentWrite() {
  if (buf && owner != nullptr) owner->on_destroyed(*this);
}

void RecentWrites::add(const std::shared_ptr<RecentWrite>& w) {
  if (!w->buf || w->buf->size() > kBudgetBytes / 2) {
    w->buf.reset();
    return;
  }
  w->owner = this;
  bytes_ += w->buf->size();
  order_.push_back(w);
  while (bytes_ > kBudgetBytes && !order_.empty()) {
    if (std::shared_ptr<RecentWrite> old = order_.front().lock(); old && old->buf) {
      bytes_ -= old->buf->size();
      old->buf.reset();  // the blocks go back to the staging pool; the segment skips the entry
    }
    order_.pop_front();
  }
  // Entries whose segment dropped them already left the byte count: shed their slots too.
  while (!order_.empty() && order_.front().expired()) order_.pop_front();
}

void RecentWrites::on_destroyed(const RecentWrite& w) { bytes_ -= w.buf->size(); }

size_t read_recent(const RecentWriteList& list, uint64_t pos, uint8_t* dst, size_t len) {
  for (auto it = list.rbegin(); it != list.rend(); ++it) {
    const RecentWrite& w = **it;
    if (pos >= w.end) return 0;  // newer than every kept byte: not here
    if (!w.buf || pos < w.base) continue;
    const auto n = size_t(std::min<uint64_t>(len, w.end - pos));
    w.buf->read(size_t(pos - w.base), dst, n);
    return n;
  }
  return 0;
}

}  // namespace runnel::storage
