#pragma once

// The staging buffers of the latest direct writes, kept so that readers at the tail of a log
// (consumers keeping up with producers, the common case) are served from memory.
//
// Why: direct I/O (segment_appender.h) bypasses the page cache, so without this every fetch of
// just-written data would be a disk read (a virtio round trip and a page-cache fill on a VM).
// The buffers already hold exactly those bytes; keeping them costs no copy.
//
// Bounds: one budget per ring thread (kBudgetBytes, the RecentWrites of its LogEnv) across all of its segments, evicting the oldest
// write first, so memory does not grow with the number of partitions. A write bigger than half
// the budget is not kept.
//
// Validity: a write at `base` covered file bytes [base, end); later writes only rewrite the
// partial page after `end` with the same bytes before `end`, so [base, end) stays correct for
// as long as the segment exists. The entry is dropped when the segment stops being appended to.

#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>

#include "broker/storage/staging_pool.h"

namespace runnel::storage {

class RecentWrites;

struct RecentWrite {
  RecentWrites* owner = nullptr;  // the budget it counts against, once added
  uint64_t base = 0;  // file position of buf's first byte (page aligned)
  uint64_t end = 0;   // one past the last segment byte in buf (padding excluded)
  std::unique_ptr<StagingBuffer> buf;  // null once evicted
  ~RecentWrite();
};

class RecentWrites {
 public:
  static constexpr size_t kBudgetBytes = 4u << 20;

  RecentWrites() = default;
  RecentWrites(const RecentWrites&) = delete;
  RecentWrites& operator=(const RecentWrites&) = delete;

  // Keeps `w` (owned by its segment's list) within the budget, evicting older writes.
  void add(const std::shared_ptr<RecentWrite>& w);
  void on_destroyed(const RecentWrite& w);
  size_t bytes() const { return bytes_; }

 private:
  std::deque<std::weak_ptr<RecentWrite>> order_;  // oldest first
  size_t bytes_ = 0;
};

// A segment's kept writes, oldest first.
using RecentWriteList = std::deque<std::shared_ptr<RecentWrite>>;

// Copies [pos, pos + len) from the newest kept write covering `pos`; returns the bytes copied (0
// when no kept write covers pos).
size_t read_recent(const RecentWriteList& list, uint64_t pos, uint8_t* dst, size_t len);

}  // namespace runnel::storage
