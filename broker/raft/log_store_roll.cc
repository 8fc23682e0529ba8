// MetadataLogStore: segment names and the roll to a new segment that snapshots need
// (trim_prefix, reset_to; log_store.h).

#include <fcntl.h>

#include <algorithm>
#include <cinttypes>
#include <cstdio>

#include "broker/model/assert.h"
#include "broker/raft/log_store.h"
#include "broker/raft/log_store_io.h"

namespace runnel::raft {

namespace {
constexpr size_t kOffsetDigits = 20;
constexpr std::string_view kSegmentSuffix = ".log";
}  // namespace

std::string segment_file_name(Offset base_offset) {
  RUNNEL_ASSERT(base_offset.value() >= 0, "segment base offset %lld", static_cast<long long>(base_offset.value()));
  char name[32];
  std::snprintf(name, sizeof name, "%020" PRId64 ".log", base_offset.value());
  return name;
}

std::optional<Offset> parse_segment_file_name(std::string_view name) {
  if (name.size() != kOffsetDigits + kSegmentSuffix.size() || !name.ends_with(kSegmentSuffix)) return std::nullopt;
  int64_t value = 0;
  for (size_t i = 0; i < kOffsetDigits; ++i) {
    if (name[i] < '0' || name[i] > '9') return std::nullopt;
    if (value > (INT64_MAX - 9) / 10) return std::nullopt;
    value = value * 10 + (name[i] - '0');
  }
  return Offset{value};
}

io::Task<Result<void, LogStoreError>> MetadataLogStore::trim_prefix(storage::Files& files, Offset snapshot_end) {
  if (auto usable = check_usable(); !usable) co_return usable;
  log_store::BusyScope busy(busy_);
  // The batch that holds the snapshot's end starts the new segment; at the end, none does.
  Offset base = end_offset_;
  uint64_t from = size_bytes_;
  auto it = std::upper_bound(batches_.begin(), batches_.end(), snapshot_end,
                             [](Offset o, const BatchLocation& b) { return o < b.base_offset; });
  if (snapshot_end < end_offset_ && it != batches_.begin()) {
    base = std::prev(it)->base_offset;
    from = std::prev(it)->position;
  }
  if (snapshot_end <= base_offset_ || base == base_offset_) co_return Result<void, LogStoreError>{};
  std::vector<uint8_t> tail(size_t(size_bytes_ - from));
  if (int res = co_await log_store::read_all(files, fd_, tail, from); res < 0) co_return fail("read segment tail", res);
  co_return co_await roll(files, base, std::move(tail));
}

io::Task<Result<void, LogStoreError>> MetadataLogStore::reset_to(storage::Files& files, Offset start) {
  if (auto usable = check_usable(); !usable) co_return usable;
  log_store::BusyScope busy(busy_);
  co_return co_await roll(files, start, {});
}

io::Task<Result<void, LogStoreError>> MetadataLogStore::roll(storage::Files& files, Offset base,
                                                             std::vector<uint8_t> tail) {
  const std::string old_name = segment_file_name(base_offset_);
  const std::string name = segment_file_name(base);
  const std::string temporary = name + ".rolling";
  const int fd = co_await files.open(dir_fd_, temporary.c_str(), O_CREAT | O_TRUNC | O_RDWR | O_CLOEXEC, 0644);
  if (fd < 0) co_return fail("open new segment", fd);
  int res = co_await log_store::write_all(files, fd, tail, 0);
  // The new segment is whole on disk before its name can appear: recovery trusts the newest name.
  if (res == 0) res = co_await files.fdatasync(fd);
  if (res == 0) res = co_await files.rename(dir_fd_, temporary.c_str(), dir_fd_, name.c_str());
  if (res == 0) res = co_await files.fsync(dir_fd_);
  if (res < 0) {
    files.close_detached(fd);
    co_return fail("write new segment", res);
  }
  files.close_detached(fd_);
  fd_ = fd;
  // Rebase the index: the tail starts at the batch that is now first.
  const uint64_t shift = size_bytes_ - tail.size();
  std::erase_if(batches_, [&](const BatchLocation& b) { return b.base_offset < base; });
  for (auto& b : batches_) b.position -= shift;
  if (tail.empty()) batches_.clear();
  base_offset_ = base;
  if (tail.empty()) end_offset_ = base;
  size_bytes_ = tail.size();
  if (old_name != name) {
    res = co_await files.unlink(dir_fd_, old_name.c_str());
    if (res == 0) res = co_await files.fsync(dir_fd_);
    // The new segment is in place: a leftover old one only costs space, and open() removes it.
    if (res < 0) co_return fail("remove old segment", res);
  }
  co_return Result<void, LogStoreError>{};
}

}  // namespace runnel::raft
