#include "broker/storage/log_loader.h"

#include <fcntl.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <vector>

#include "broker/records/batch_header.h"
#include "broker/storage/checkpoint.h"
#include "broker/storage/cleaner_checkpoint.h"
#include "broker/storage/cleaner_recovery.h"
#include "broker/storage/file_util.h"
#include "broker/storage/staging_pool.h"

namespace runnel::storage {
namespace {

bool ends_with(const std::string& s, const char* suffix) {
  const size_t n = std::strlen(suffix);
  return s.size() >= n && s.compare(s.size() - n, n, suffix) == 0;
}

// A batch header that can start a valid batch at `pos` of a segment whose next offset is `next`.
// The header's offsets are raw (the file format).
bool plausible(const records::BatchHeader& h, Offset next, Offset seg_base) {
  return h.magic == records::magic_v2 &&
         h.batch_length >= int32_t(records::layout::header_size - records::layout::log_overhead) &&
         h.last_offset_delta >= 0 && h.base_offset >= next.value() &&
         h.last_offset() - seg_base.value() <= int64_t(INT32_MAX);
}

bool all_zero(Files& files, int fd, uint64_t pos, uint64_t len) {
  uint8_t buf[kPageBytes];
  if (len > sizeof(buf) || pread_full(files, fd, buf, size_t(len), pos) != int64_t(len)) return false;
  return std::all_of(buf, buf + len, [](uint8_t b) { return b == 0; });
}

}  // namespace

void LogLoader::remove_segment_files(int64_t base) {
  for (const char* suffix : {".log", ".index", ".timeindex"}) {
    files_.unlink(log_.dir_fd_, segment_file_name(base, suffix).c_str()).run();
  }
}

Result<bool, IoMessage> LogLoader::recover_segment(Segment& seg, uint64_t file_size) {
  seg.offset_index.clear();
  seg.time_index.clear();
  seg.next_offset = seg.base_offset;
  seg.max_timestamp = -1;
  seg.offset_of_max_timestamp = Offset(-1);
  seg.bytes_since_index = 0;
  BlockingFileWindow window(files_, seg.fd, file_size);
  uint64_t pos = 0;
  while (true) {
    const uint8_t* p = window.at(pos, records::layout::header_size);
    if (p == nullptr) break;
    records::BatchHeader h;
    records::parse_header(p, records::layout::header_size, h);
    if (!plausible(h, seg.next_offset, seg.base_offset)) break;
    const auto size = size_t(h.size_bytes());
    const uint8_t* whole = window.at(pos, size);
    if (whole == nullptr || !records::batch_crc_matches(whole, size)) break;
    seg.on_batch(pos, size, Offset(h.last_offset()), h.max_timestamp, log_.config_.index_interval_bytes);
    log_.producers_.update(h, Offset(h.base_offset), AppendOrigin::replay);
    ++stats_.batches_scanned;
    pos += size;
  }
  // Zeros from the last batch to a page-aligned end, less than a page: the padding of a direct
  // write (segment_appender.h) not yet cut off. Removed, but not a corruption point.
  const bool padding = pos < file_size && file_size % kPageBytes == 0 && file_size - pos < kPageBytes &&
                       all_zero(files_, seg.fd, pos, file_size - pos);
  const bool truncated = pos < file_size && !padding;
  if (padding) stats_.padding_trimmed += int64_t(file_size - pos);
  if (pos < file_size) {
    if (truncated) stats_.bytes_truncated += int64_t(file_size - pos);
    if (int res = files_.ftruncate(seg.fd, pos).run(); res < 0) return Unexpected(error_text("truncate segment", res));
  }
  // What survived is the log from now on and will count as flushed: it must be on stable storage
  // even if it was only in the page cache (a kill -9 loses no page-cache data; a power cut after
  // this restart must not lose what a flush() after it acknowledges). Also makes the truncation
  // durable.
  if (int res = files_.fdatasync(seg.fd).run(); res < 0) return Unexpected(error_text("fdatasync segment", res));
  seg.size_assigned = seg.size_written = seg.size_synced = pos;
  seg.add_final_time_entry();
  ++stats_.segments_recovered;
  return truncated;
}

bool LogLoader::load_indexes(Segment& seg, uint64_t file_size, Offset next_base) {
  const int64_t base = seg.base_offset.value();  // index entries are relative to it
  std::vector<uint8_t> bytes;
  if (!read_whole_file_at(files_, log_.dir_fd_, segment_file_name(base, ".index").c_str(), bytes)) {
    return false;
  }
  if (!seg.offset_index.decode(bytes, file_size)) return false;
  if (!read_whole_file_at(files_, log_.dir_fd_, segment_file_name(base, ".timeindex").c_str(), bytes)) {
    return false;
  }
  const uint64_t max_rel = next_base > seg.base_offset ? uint64_t(next_base.value() - base) : UINT32_MAX;
  if (!seg.time_index.decode(bytes, max_rel)) return false;
  if (file_size > 0 && seg.time_index.size() == 0) return false;  // seal/close always writes one
  // The last offset entry must point at the batch it names.
  if (!seg.offset_index.entries().empty()) {
    const OffsetEntry e = seg.offset_index.entries().back();
    uint8_t buf[records::layout::header_size];
    if (pread_full(files_, seg.fd, buf, sizeof(buf), e.position) != int64_t(sizeof(buf))) return false;
    records::BatchHeader h;
    records::parse_header(buf, sizeof(buf), h);
    if (h.magic != records::magic_v2 || h.last_offset() != base + e.relative_offset) return false;
  }
  const TimeEntry& last = seg.time_index.entries().empty() ? TimeEntry{-1, 0} : seg.time_index.entries().back();
  seg.max_timestamp = last.timestamp;
  seg.offset_of_max_timestamp = Offset(last.timestamp < 0 ? -1 : base + last.relative_offset);
  seg.size_assigned = seg.size_written = seg.size_synced = file_size;
  seg.next_offset = next_base;
  return true;
}

bool LogLoader::find_end(Segment& seg, uint64_t file_size) {
  BlockingFileWindow window(files_, seg.fd, file_size);
  uint64_t pos = 0;
  Offset next = seg.base_offset;
  if (!seg.offset_index.entries().empty()) {
    pos = seg.offset_index.entries().back().position;
    next = seg.base_offset;  // the entry's batch is re-read below
  }
  while (pos < file_size) {
    const uint8_t* p = window.at(pos, records::layout::header_size);
    if (p == nullptr) return false;
    records::BatchHeader h;
    records::parse_header(p, records::layout::header_size, h);
    if (!plausible(h, next, seg.base_offset) || pos + uint64_t(h.size_bytes()) > file_size) return false;
    next = Offset(h.last_offset() + 1);
    pos += uint64_t(h.size_bytes());
  }
  seg.next_offset = next;
  if (const uint8_t* p = window.at(0, records::layout::header_size)) {
    records::BatchHeader first;
    records::parse_header(p, records::layout::header_size, first);
    seg.rolling_timestamp = first.max_timestamp;
  }
  return true;
}

void LogLoader::rebuild_producer_state(Segment& seg) {
  BlockingFileWindow window(files_, seg.fd, seg.size_written);
  for (uint64_t pos = 0; pos < seg.size_written;) {
    const uint8_t* p = window.at(pos, records::layout::header_size);
    if (p == nullptr) break;
    records::BatchHeader h;
    records::parse_header(p, records::layout::header_size, h);
    log_.producers_.update(h, Offset(h.base_offset), AppendOrigin::replay);
    pos += uint64_t(h.size_bytes());
  }
}

Result<void, IoMessage> LogLoader::write_indexes_blocking(Segment& seg) {
  auto index = write_file_synced_at(files_, log_.dir_fd_, segment_file_name(seg.base_offset.value(), ".index").c_str(),
                                    seg.offset_index.encode());
  if (!index) return index;
  return write_file_synced_at(files_, log_.dir_fd_, segment_file_name(seg.base_offset.value(), ".timeindex").c_str(),
                              seg.time_index.encode());
}

Result<void, IoMessage> LogLoader::load() {
  // 0. A compaction swap interrupted by a crash is completed or rolled back first
  // (cleaner_recovery.h), so that what follows sees plain segments only.
  CleanerRecoveryStats cleaner_stats;
  if (auto cleaned = recover_interrupted_cleaning(files_, log_.dir_fd_, cleaner_stats); !cleaned) return cleaned;
  if (std::optional<int64_t> c = read_cleaner_checkpoint_blocking(files_, log_.dir_fd_)) log_.cleaner_.checkpoint = *c;
  // 1. Inventory: segment logs; leftovers of interrupted operations are removed.
  std::vector<int64_t> bases;
  std::vector<std::string> names;
  if (int res = files_.list(log_.dir_fd_, &names).run(); res < 0) return Unexpected(error_text("list directory", res));
  for (const std::string& name : names) {
    int64_t base = 0;
    if (parse_segment_file_name(name, ".log", base)) {
      bases.push_back(base);
    } else if (ends_with(name, ".tmp") || ends_with(name, ".deleted")) {
      files_.unlink(log_.dir_fd_, name.c_str()).run();
    }
  }
  std::sort(bases.begin(), bases.end());
  for (const std::string& name : names) {  // orphan indexes
    int64_t base = 0;
    if ((parse_segment_file_name(name, ".index", base) || parse_segment_file_name(name, ".timeindex", base)) &&
        !std::binary_search(bases.begin(), bases.end(), base)) {
      files_.unlink(log_.dir_fd_, name.c_str()).run();
    }
  }
  // 2. Checkpoint: a clean stop trusts everything; otherwise recover past the recovery point.
  const std::optional<Checkpoint> ckpt = read_checkpoint_blocking(files_, log_.dir_fd_);
  const bool clean = ckpt && ckpt->clean;
  const Offset recovery_point(ckpt ? ckpt->recovery_point : 0);
  stats_.clean_shutdown = clean;
  // 3. Segments, oldest first. A corruption point ends the log: later segments are deleted.
  bool cut = false;
  for (size_t i = 0; i < bases.size(); ++i) {
    const int64_t base = bases[i];
    if (cut) {
      remove_segment_files(base);
      ++stats_.segments_deleted;
      continue;
    }
    const bool last = i + 1 == bases.size();
    const Offset next_base(last ? INT64_MAX : bases[i + 1]);
    auto seg = std::make_shared<Segment>(log_.files_, Offset(base));
    // Opened through the blocking Files; the fd is then used by the serving path's Files (the
    // same kernel fd in the broker; the same file-system object in tests).
    const int fd = files_.open(log_.dir_fd_, segment_file_name(base, ".log").c_str(), O_RDWR | O_CLOEXEC).run();
    struct stat st {};
    const int res = fd < 0 ? fd : files_.fstat(fd, &st).run();
    if (fd >= 0) seg->fd = fd;
    if (res < 0) return Unexpected(error_text("open segment", res));
    seg->file_created = true;
    seg->created_ms = int64_t(st.st_mtim.tv_sec) * 1000 + st.st_mtim.tv_nsec / 1000000;
    seg->sealed = seg->seal_done = !last;
    const auto file_size = uint64_t(st.st_size);
    bool recover = !clean && (last || next_base > recovery_point);
    if (!recover && !load_indexes(*seg, file_size, next_base)) {
      recover = true;
      ++stats_.indexes_rebuilt;
    }
    if (!recover && last && !find_end(*seg, file_size)) recover = true;
    if (recover) {
      Result<bool, IoMessage> recovered = recover_segment(*seg, file_size);
      if (!recovered) return Unexpected(std::move(recovered).error());
      bool truncated = *recovered;
      if (!last && seg->next_offset > next_base) truncated = cut = true;  // overlaps its successor
      cut = cut || (truncated && !last);
      if (!last) {
        if (auto written = write_indexes_blocking(*seg); !written) return written;
      }
    } else {
      rebuild_producer_state(*seg);
    }
    if (!last && !cut) seg->next_offset = next_base;
    ++stats_.segments_loaded;
    log_.segments_[seg->base_offset] = seg;
  }
  if (cut && !log_.segments_.empty()) {
    Segment& now_last = *log_.segments_.rbegin()->second;
    now_last.sealed = now_last.seal_done = false;
    if (now_last.rolling_timestamp < 0) find_end(now_last, now_last.size_written);
  }
  if (stats_.segments_deleted > 0) {
    if (int res = files_.fsync(log_.dir_fd_).run(); res < 0) return Unexpected(error_text("fsync dir", res));
  }
  // 4. Offsets. Everything that survived is on disk and synced.
  if (!log_.segments_.empty()) {
    log_.log_start_ = log_.segments_.begin()->first;
    const Offset end = log_.segments_.rbegin()->second->next_offset;
    log_.next_offset_ = log_.leo_ = log_.flushed_ = log_.flush_target_ = end;
  }
  log_.leo_waiters_.reset(log_.leo_);
  log_.flush_waiters_.reset(log_.flushed_);
  // 5. From now on a crash is unclean: recovery restarts at what we know is durable. A new
  // partition (no checkpoint, no segment) already reads as unclean from 0, so writing that down
  // would cost a fdatasync, a rename and a directory fsync per partition for nothing.
  if (!ckpt && log_.segments_.empty()) return {};
  return write_checkpoint_blocking(files_, log_.dir_fd_, {log_.leo_.value(), false});
}

Result<std::unique_ptr<PartitionLog>, IoMessage> PartitionLog::open(LogEnv& env, std::string dir, LogConfig config,
                                                                    RecoveryStats* stats, bool parent_synced) {
  Files& files = env.blocking;
  // The partition directory's own entry must be durable before anything in it is acknowledged:
  // every directory created on the way is synced into its parent, and the parent of `dir` is
  // synced even when `dir` existed (a previous run may have died before syncing it), unless the
  // caller did both for a batch of partitions.
  int res = parent_synced ? 0 : make_dirs_synced(files, dir);
  const size_t slash = dir.find_last_of('/');
  const std::string parent = slash == std::string::npos ? "." : slash == 0 ? "/" : dir.substr(0, slash);
  if (res >= 0 && !parent_synced) {
    const int pfd = files.open(AT_FDCWD, parent.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC).run();
    res = pfd < 0 ? pfd : files.fsync(pfd).run();
    if (pfd >= 0) files.close(pfd).run();
  }
  if (res < 0) return Unexpected(error_text(("create " + dir).c_str(), res));
  std::unique_ptr<PartitionLog> log(new PartitionLog(env, std::move(dir), config));
  log->dir_fd_ = files.open(AT_FDCWD, log->dir_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC).run();
  if (log->dir_fd_ < 0) {
    const int res = log->dir_fd_;
    log->dir_fd_ = -1;
    return Unexpected(error_text("open dir", res));
  }
  RecoveryStats local;
  LogLoader loader(*log, stats ? *stats : local);
  if (auto loaded = loader.load(); !loaded) return Unexpected(std::move(loaded).error());
  return log;
}

}  // namespace runnel::storage
