// MetadataLogStore::open: start-up recovery of the __cluster_metadata-0 segment (log_store.h).

#include <fcntl.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <optional>
#include <utility>

#include "broker/model/assert.h"
#include "broker/raft/inline_task.h"
#include "broker/raft/log_store.h"
#include "broker/raft/log_store_io.h"
#include "broker/records/batch_header.h"
#include "broker/storage/file_util.h"

namespace runnel::raft {
namespace {

using log_store::io_error;

constexpr size_t kReadWindowBytes = size_t{1} << 20;

// The segment front to back through a 1 MiB window. Unlike storage::BlockingFileWindow, a read
// error is an error, not the end of the data: cutting the log at a transient EIO would throw
// away durable entries.
class SegmentReader {
 public:
  SegmentReader(storage::Files& files, int fd, uint64_t file_size) : files_(files), fd_(fd), file_size_(file_size) {}

  // The bytes [pos, pos + len); empty when the file ends before pos + len; or -errno.
  Result<std::span<const uint8_t>, int> at(uint64_t pos, size_t len) {
    if (pos + len > file_size_) return std::span<const uint8_t>{};
    if (pos < window_pos_ || pos + len > window_pos_ + window_.size()) {
      window_.resize(size_t(std::min<uint64_t>(std::max(len, kReadWindowBytes), file_size_ - pos)));
      window_pos_ = pos;
      const int64_t n = storage::pread_full(files_, fd_, window_.data(), window_.size(), pos);
      if (n < 0 || uint64_t(n) < window_.size()) {
        window_.clear();
        return Unexpected(n < 0 ? int(n) : -EIO);  // shorter than fstat said: not ours to guess why
      }
    }
    return std::span<const uint8_t>(window_.data() + (pos - window_pos_), len);
  }

 private:
  storage::Files& files_;
  int fd_;
  uint64_t file_size_;
  uint64_t window_pos_ = 0;
  std::vector<uint8_t> window_;
};

// What the segment holds up to its first bad batch.
struct Scan {
  Offset base{0};
  std::vector<BatchLocation> batches;
  std::vector<Entry> entries;
  uint64_t valid_bytes = 0;  // where the good batches end

  Offset end_offset() const { return entries.empty() ? base : Offset{entries.back().offset.value() + 1}; }
  // The epoch of the record before `offset`; unknown (kNoEpoch, which any epoch follows) at the base.
  LeaderEpoch epoch_before(Offset offset) const {
    return offset <= base ? kNoEpoch : entries[size_t(offset.value() - base.value() - 1)].epoch;
  }
};

Result<Scan, LogStoreError> scan_segment(storage::Files& files, int fd, uint64_t file_size, Offset base) {
  SegmentReader reader(files, fd, file_size);
  Scan scan;
  scan.base = base;
  while (true) {
    const uint64_t pos = scan.valid_bytes;
    Result<std::span<const uint8_t>, int> head = reader.at(pos, records::layout::header_size);
    if (!head) return Unexpected(io_error("read segment", head.error()));
    if (head->empty()) break;  // a torn header, or the end
    records::BatchHeader h;
    records::parse_header(head->data(), head->size(), h);
    if (h.batch_length < int32_t(records::layout::header_size - records::layout::log_overhead)) break;
    Result<std::span<const uint8_t>, int> batch = reader.at(pos, size_t(h.size_bytes()));
    if (!batch) return Unexpected(io_error("read segment", batch.error()));
    const Offset next = scan.end_offset();
    if (batch->empty() || !log_store::decode_batch(*batch, next, scan.epoch_before(next), scan.entries)) break;
    scan.batches.push_back({next, pos, uint32_t(batch->size())});
    scan.valid_bytes += batch->size();
  }
  return scan;
}

// The truncation journal's bytes; nullopt when there is none.
Result<std::optional<std::vector<uint8_t>>, LogStoreError> read_journal(storage::Files& files, int dir_fd) {
  const int fd = files.open(dir_fd, kMetadataTruncationFileName, O_RDONLY | O_CLOEXEC).run();
  if (fd == -ENOENT) return std::optional<std::vector<uint8_t>>{};
  if (fd < 0) return Unexpected(io_error("open truncation journal", fd));
  struct stat st {};
  int res = files.fstat(fd, &st).run();
  std::vector<uint8_t> bytes;
  if (res == 0) {
    bytes.resize(size_t(st.st_size));
    const int64_t n = storage::pread_full(files, fd, bytes.data(), bytes.size(), 0);
    res = n < 0 ? int(n) : (uint64_t(n) == bytes.size() ? 0 : -EIO);
  }
  files.close(fd).run();
  if (res < 0) return Unexpected(io_error("read truncation journal", res));
  return std::optional<std::vector<uint8_t>>{std::move(bytes)};
}

// Finishes the truncation that `journal` records when the journal is whole and its first offset
// is where a scanned batch begins (the batch that was being cut) or where the scanned log ends
// (the cut was kept, the rewrite lost): the segment is cut there and the journal's batches
// written in its place, durably. False when it does not apply: a torn journal was never
// synced, so its truncation had not started; a whole one whose batch is not in the segment
// (the batch was never synced and the power took it) had nothing left to cut.
Result<bool, LogStoreError> finish_truncation(storage::Files& files, int fd, std::span<const uint8_t> journal, Scan& scan) {
  records::BatchHeader h;
  if (!records::parse_header(journal.data(), journal.size(), h)) return false;
  const Offset first{h.base_offset};
  auto at = std::find_if(scan.batches.begin(), scan.batches.end(),
                         [&](const BatchLocation& b) { return b.base_offset == first; });
  if (at == scan.batches.end() && first != scan.end_offset()) return false;
  const uint64_t position = at == scan.batches.end() ? scan.valid_bytes : at->position;
  std::vector<BatchLocation> batches;
  std::vector<Entry> entries;
  if (!log_store::decode_batches(journal, position, first, scan.epoch_before(first), batches, entries)) return false;
  if (auto done = run_inline(log_store::rewrite_tail(files, fd, position, journal)); !done) {
    return Unexpected(done.error());
  }
  scan.batches.erase(at, scan.batches.end());
  scan.batches.insert(scan.batches.end(), batches.begin(), batches.end());
  scan.entries.resize(size_t(first.value() - scan.base.value()));
  scan.entries.insert(scan.entries.end(), std::make_move_iterator(entries.begin()), std::make_move_iterator(entries.end()));
  scan.valid_bytes = position + journal.size();
  return true;
}

// Closes the segment's fd on every way out of open() but success.
class FdGuard {
 public:
  FdGuard(storage::Files& files, int fd) : files_(files), fd_(fd) {}
  ~FdGuard() {
    if (fd_ >= 0) files_.close_detached(fd_);
  }
  FdGuard(const FdGuard&) = delete;
  FdGuard& operator=(const FdGuard&) = delete;
  int release() { return std::exchange(fd_, -1); }

 private:
  storage::Files& files_;
  int fd_;
};

}  // namespace

// The base offset of the segment to open: the largest among the segments (a roll that a crash
// interrupted leaves the older one too, and maybe its temporary file). Everything else that
// looks like ours is removed, durably.
static Result<Offset, LogStoreError> choose_segment(storage::Files& files, int dir_fd) {
  std::vector<std::string> names;
  int res = files.list(dir_fd, &names).run();
  if (res < 0) return Unexpected(io_error("list directory", res));
  std::optional<Offset> newest;
  for (const auto& n : names) {
    std::optional<Offset> base = parse_segment_file_name(n);
    if (base && (!newest || *base > *newest)) newest = base;
  }
  bool removed = false;
  for (const auto& n : names) {
    std::optional<Offset> base = parse_segment_file_name(n);
    const bool stale_segment = base && *base != *newest;
    const bool stale_roll = n.ends_with(".log.rolling") && parse_segment_file_name(n.substr(0, n.size() - 8));
    if (!stale_segment && !stale_roll) continue;
    res = files.unlink(dir_fd, n.c_str()).run();
    if (res < 0) return Unexpected(io_error("unlink an old segment", res));
    removed = true;
  }
  if (removed) {
    res = files.fsync(dir_fd).run();
    if (res < 0) return Unexpected(io_error("fsync directory", res));
  }
  return newest.value_or(Offset{0});
}

Result<RecoveredLog, LogStoreError> MetadataLogStore::open(storage::Files& files, int dir_fd) {
  RUNNEL_ASSERT(files.sync(), "metadata log: open() blocks, it needs a synchronous Files");
  Result<Offset, LogStoreError> base = choose_segment(files, dir_fd);
  if (!base) return Unexpected(base.error());
  const std::string name = segment_file_name(*base);
  const int fd = files.open(dir_fd, name.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644).run();
  if (fd < 0) return Unexpected(io_error("open segment", fd));
  FdGuard guard(files, fd);
  // The segment's name durable before anything is appended to it, whichever open created it.
  int res = files.fsync(dir_fd).run();
  if (res < 0) return Unexpected(io_error("fsync directory", res));
  struct stat st {};
  res = files.fstat(fd, &st).run();
  if (res < 0) return Unexpected(io_error("fstat segment", res));
  const auto file_size = uint64_t(st.st_size);

  Result<Scan, LogStoreError> scan = scan_segment(files, fd, file_size, *base);
  if (!scan) return Unexpected(scan.error());
  LogRecoveryStats stats;
  stats.bytes_truncated = file_size - scan->valid_bytes;
  Result<std::optional<std::vector<uint8_t>>, LogStoreError> journal = read_journal(files, dir_fd);
  if (!journal) return Unexpected(journal.error());
  if (*journal) {
    Result<bool, LogStoreError> finished = finish_truncation(files, fd, **journal, *scan);
    if (!finished) return Unexpected(finished.error());
    stats.truncation_finished = *finished;
    stats.journal_discarded = !*finished;
    if (auto removed = run_inline(log_store::remove_journal(files, dir_fd)); !removed) return Unexpected(removed.error());
  }
  if (!stats.truncation_finished && scan->valid_bytes < file_size) {
    // The torn or corrupt tail goes, durably: appends will write where it was.
    res = files.ftruncate(fd, scan->valid_bytes).run();
    if (res < 0) return Unexpected(io_error("ftruncate torn tail", res));
    res = files.fdatasync(fd).run();
    if (res < 0) return Unexpected(io_error("fdatasync segment", res));
  }

  MetadataLogStore store(dir_fd, guard.release());
  store.base_offset_ = *base;
  store.end_offset_ = scan->end_offset();
  store.size_bytes_ = scan->valid_bytes;
  store.batches_ = std::move(scan->batches);
  stats.batches = store.batches_.size();
  return RecoveredLog{std::move(store), std::move(scan->entries), stats};
}

}  // namespace runnel::raft
