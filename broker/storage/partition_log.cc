// Write side of PartitionLog: offset assignment, the writer, group commit, sealing, close.
#include "broker/storage/partition_log.h"

#include <fcntl.h>
#include <sys/uio.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <cstring>

#include "broker/metrics/clock.h"
#include "broker/metrics/shard_probe.h"
#include "broker/model/assert.h"
#include "broker/records/batch_header.h"
#include "broker/storage/checkpoint.h"
#include "broker/storage/segment_appender.h"

namespace runnel::storage {
namespace {

// Bounds one writev: enough to coalesce a burst of small appends, far below IOV_MAX.
constexpr size_t kMaxIovPerWrite = 64;
// Bounds one direct write (and the staging memory it holds): large enough to amortise a write's
// fixed cost, small enough that a partition's burst does not hold many staging blocks.
constexpr uint64_t kMaxWriteBytes = 4 << 20;
// Retries after ENOSPC: doubling from the first to the last, so a freed disk is noticed within a
// second and a full one costs a few failed writes per second.
constexpr auto kSpaceRetryFirst = std::chrono::milliseconds(20);
constexpr auto kSpaceRetryMax = std::chrono::milliseconds(1000);

}  // namespace

PartitionLog::PartitionLog(LogEnv& env, std::string dir, LogConfig config)
    : env_(env), files_(env.files), ring_(env.ring), dir_(std::move(dir)), config_(config), leo_waiters_(env.ring),
      flush_waiters_(env.ring) {}

PartitionLog::~PartitionLog() {
  segments_.clear();  // segment destructors queue their closes on the ring
  if (dir_fd_ >= 0) files_.close_detached(dir_fd_);
}

void PartitionLog::fail(const char* what, int res) {
  if (!failed_) std::fprintf(stderr, "storage: %s: %s failed: %s\n", dir_.c_str(), what, std::strerror(-res));
  if (!failed_) failed_errno_ = -res;
  failed_ = true;
  out_of_space_ = false;
  leo_waiters_.release_all();
  flush_waiters_.release_all();
}

int64_t PartitionLog::size_bytes() const {
  int64_t total = 0;
  for (const auto& [_, seg] : segments_) total += int64_t(seg->size_assigned);
  return total;
}

std::shared_ptr<Segment> PartitionLog::segment_for(Offset offset) const {
  auto it = segments_.upper_bound(offset);
  if (it == segments_.begin()) return nullptr;
  return std::prev(it)->second;
}

bool PartitionLog::should_roll(const Segment& seg, int64_t batch_bytes, int64_t max_ts, Offset last_offset) const {
  if (seg.sealed) return true;
  if (seg.empty()) return false;
  if (int64_t(seg.size_assigned) > config_.segment_bytes - batch_bytes) return true;
  const auto max_entries = size_t(std::max<int32_t>(config_.segment_index_bytes / 12, 1));
  if (seg.offset_index.size() >= max_entries || seg.time_index.size() >= max_entries) return true;
  // Index entries hold the offset relative to the base in 32 bits.
  if (last_offset.value() - seg.base_offset.value() > int64_t(INT32_MAX)) return true;
  // Kafka's timeWaitedForRoll: record time since the first batch, else wall time since creation.
  const int64_t waited = (seg.rolling_timestamp >= 0 && max_ts >= 0) ? max_ts - seg.rolling_timestamp
                                                                      : env_.clock.now_ms() - seg.created_ms;
  return waited > config_.segment_ms;
}

std::shared_ptr<Segment> PartitionLog::roll(Offset base_offset, int64_t now) {
  if (!segments_.empty()) {
    std::shared_ptr<Segment> old = segments_.rbegin()->second;
    RUNNEL_ASSERT(base_offset >= old->next_offset, "roll base %lld < next %lld", (long long)base_offset.value(),
                  (long long)old->next_offset.value());
    old->sealed = true;
    old->add_final_time_entry();
    seal_queue_.push_back(old);
    if (!sealer_running_) start_loop(sealer_running_, sealer_loop());
  }
  auto seg = std::make_shared<Segment>(files_, base_offset);
  seg->created_ms = now;
  seg->next_offset = base_offset;
  segments_[base_offset] = seg;
  ++stats_.rolls;
  return seg;
}

Errc PartitionLog::refusal() const {
  if (failed_) return Errc::log_failed;
  if (closed_) return Errc::closed;
  // Out of space, or woken because the write stalled on it: the bytes were not written.
  return out_of_space_ ? Errc::out_of_space : Errc::log_failed;
}

AppendResult PartitionLog::assign(const SharedBytes& batches, LeaderEpoch epoch, const records::TimestampStamp& ts,
                                  bool replicated) {
  AppendResult r;
  r.log_start_offset = log_start_;
  if (failed_ || closed_ || out_of_space_) {
    r.error = refusal();
    return r;
  }
  // Pass 1: headers and producer rules; nothing is changed until everything passed.
  std::vector<records::BatchHeader> headers;
  for (size_t pos = 0; pos < batches.size();) {
    records::BatchHeader h;
    const bool ok = records::parse_header(batches.data() + pos, batches.size() - pos, h);
    RUNNEL_ASSERT(ok && h.size_bytes() >= int64_t(records::layout::header_size) &&
                      pos + size_t(h.size_bytes()) <= batches.size(),
                  "append of unvalidated batches at byte %zu of %zu", pos, batches.size());
    headers.push_back(h);
    pos += size_t(h.size_bytes());
  }
  RUNNEL_ASSERT(!headers.empty(), "append of an empty record set");
  RUNNEL_ASSERT(ts.type == records::TimestampType::log_append_time || ts.max_timestamp == records::no_timestamp ||
                    headers.size() == 1,
                "a create-time max timestamp for %zu batches", headers.size());
  if (replicated) {
    // The leader's offsets are taken as they are, so they are checked here, as input: each batch
    // must start at or after the end of the one before (and of the log).
    int64_t next = next_offset_.value();
    for (const records::BatchHeader& h : headers) {
      if (h.base_offset < next) {
        r.error = Errc::offset_out_of_range;  // overlaps: the follower must truncate first
        return r;
      }
      next = h.last_offset() + 1;
    }
  } else {
    // The epoch is the partition's own (never from a request), so going back is a bug.
    RUNNEL_ASSERT(epoch >= last_epoch_, "log %s: leader epoch went backwards from %d to %d", dir_.c_str(),
                  last_epoch_.value(), epoch.value());
    last_epoch_ = epoch;
    for (const records::BatchHeader& h : headers) {
      const ProducerCheck c = producers_.check(h);
      if (c.kind == ProducerCheck::Kind::error) {
        r.error = c.error;
        return r;
      }
      if (c.kind == ProducerCheck::Kind::duplicate) {
        r.duplicate = true;
        r.base_offset = c.base_offset;
        r.last_offset = c.last_offset;
        return r;
      }
    }
  }
  // Pass 2: offsets, stamping (the one place the leader writes batch headers), segment,
  // indexes, write queue.
  const int64_t now = env_.clock.now_ms();
  uint8_t* p = batches.data();
  for (records::BatchHeader& h : headers) {
    const auto size = size_t(h.size_bytes());
    const Offset base = replicated ? Offset(h.base_offset) : next_offset_;
    const Offset last(base.value() + h.last_offset_delta);
    RUNNEL_ASSERT(base >= next_offset_, "offsets must grow: batch at %lld, next offset %lld", (long long)base.value(),
                  (long long)next_offset_.value());
    if (!replicated) {
      h.max_timestamp = records::stamp_batch(p, size, records::Stamp{base.value(), epoch.value(), ts, now});
#ifndef NDEBUG
      // Stamping rewrote the header and the CRC: what goes to disk must still verify (debug
      // builds; release relies on recovery's CRC scan of the unflushed tail).
      RUNNEL_ASSERT(records::batch_crc_matches(p, size), "log %s: batch at offset %lld fails its CRC after stamping",
                    dir_.c_str(), (long long)base.value());
#endif
      h.base_offset = base.value();
      if (ts.type == records::TimestampType::log_append_time) r.log_append_time_ms = now;
    }
    std::shared_ptr<Segment> seg = segments_.empty() ? nullptr : segments_.rbegin()->second;
    if (!seg || should_roll(*seg, int64_t(size), h.max_timestamp, last)) seg = roll(base, now);
    const uint64_t position = seg->size_assigned;
    seg->on_batch(position, size, last, h.max_timestamp, config_.index_interval_bytes);
    seg->size_assigned += size;
    next_offset_ = Offset(last.value() + 1);
    producers_.update(h, base, replicated ? AppendOrigin::replay : AppendOrigin::client);
    if (r.base_offset.value() < 0) r.base_offset = base;
    r.last_offset = last;
    PendingWrite* back = queue_.empty() ? nullptr : &queue_.back();
    if (back && back->segment == seg && back->position + back->bytes.size() == position &&
        back->bytes.owner() == batches.owner() && back->bytes.data() + back->bytes.size() == p) {
      // Contiguous in memory and on disk: one iovec.
      back->bytes = SharedBytes(batches.owner(), std::span<uint8_t>(back->bytes.data(), back->bytes.size() + size));
      back->next_offset = next_offset_;
    } else {
      queue_.push_back({seg, position, SharedBytes(batches.owner(), std::span<uint8_t>(p, size)), next_offset_});
    }
    p += size;
  }
  if (!writer_running_) start_loop(writer_running_, writer_loop());
  return r;
}

io::Task<AppendResult> PartitionLog::finish_append(AppendResult r) {
  if (r.error != Errc::none) co_return r;
  // A duplicate waits for its original too, so it is never acknowledged before it. Out of space,
  // the write is stalled: the append fails now (wait_for_space() wakes those already waiting).
  if (!out_of_space_) co_await leo_waiters_.wait(Offset(r.last_offset.value() + 1));
  if (leo_ <= r.last_offset) {
    r.error = refusal();
    co_return r;
  }
  if (!r.duplicate) maybe_flush(env_.clock.now_ms());
  r.log_start_offset = log_start_;
  co_return r;
}

io::Task<AppendResult> PartitionLog::append(const SharedBytes& batches, LeaderEpoch epoch, records::TimestampStamp ts) {
  return finish_append(assign(batches, epoch, ts, false));
}

io::Task<AppendResult> PartitionLog::append_replicated(const SharedBytes& batches) {
  return finish_append(assign(batches, LeaderEpoch(-1), {}, true));
}

io::Task<int> PartitionLog::open_segment_file(Segment& seg) {
  if (seg.fd < 0) {  // else a retry after ENOSPC from the directory fsync
    const std::string name = segment_file_name(seg.base_offset.value(), ".log");
    int fd = co_await files_.open(dir_fd_, name.c_str(), O_CREAT | O_RDWR | O_CLOEXEC, 0644);
    if (fd < 0) co_return fd;
    seg.fd = fd;
  }
  // Files that must be durable before any record (sync_before_next_segment): their data
  // first, so that the directory fsync below makes them whole.
  for (const std::string& name : unsynced_files_) {
    const int fd = co_await files_.open(dir_fd_, name.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) co_return fd;
    const int synced = co_await files_.fdatasync(fd);
    co_await files_.close(fd);
    if (synced < 0) co_return synced;
  }
  unsynced_files_.clear();
  // The new directory entry must be durable before any offset in it can be acknowledged.
  int res = co_await files_.fsync(dir_fd_);
  if (res < 0) co_return res;
  seg.file_created = true;
  co_return 0;
}

io::Task<void> PartitionLog::writer_loop() {
  while (!queue_.empty() && !failed_) {
    // Take a run of writes that are contiguous in one segment: one aligned write of at most
    // kMaxWriteBytes (or one larger batch alone).
    std::shared_ptr<Segment> seg = queue_.front().segment;
    const uint64_t start = queue_.front().position;
    // The run leaves the queue (appends may extend the queue's back meanwhile) and holds its
    // buffers until written; after ENOSPC it goes back to the front unchanged.
    std::array<PendingWrite, kMaxIovPerWrite> run;
    iovec iov[kMaxIovPerWrite];
    size_t n = 0;
    uint64_t total = 0;
    Offset next_offset{0};
    while (!queue_.empty() && n < kMaxIovPerWrite && queue_.front().segment == seg &&
           queue_.front().position == start + total &&
           (n == 0 || total + queue_.front().bytes.size() <= kMaxWriteBytes)) {
      PendingWrite& w = run[n] = std::move(queue_.front());
      queue_.pop_front();
      iov[n++] = {w.bytes.data(), w.bytes.size()};
      total += w.bytes.size();
      next_offset = w.next_offset;
    }
    const char* what = "segment create";
    int res = seg->file_created ? 0 : co_await open_segment_file(*seg);
    if (res >= 0) {
      what = "segment open for appends";
      res = co_await prepare_appends(env_, dir_fd_, *seg);
    }
    if (res >= 0) {
      what = "segment write";
      res = co_await append_direct(env_, *seg, start, iov, n, total);
      ++stats_.writes;
    }
    if (res == -ENOSPC && !closed_) {
      // The appends waiting for these bytes are answered with an error (wait_for_space); the
      // queue keeps the bytes, with their offsets assigned, and writes them when space returns
      // (a producer's retry is then recognised as a duplicate).
      for (size_t i = n; i-- > 0;) queue_.push_front(std::move(run[i]));
      co_await wait_for_space();
      continue;
    }
    if (res < 0) {
      fail(what, res);
      break;
    }
    if (out_of_space_) {
      out_of_space_ = false;
      space_retry_ = kSpaceRetryFirst;
      std::fprintf(stderr, "storage: %s: space is back, appends accepted again\n", dir_.c_str());
    }
    RUNNEL_ASSERT(seg->size_written == start, "writes out of order: written %llu, start %llu",
                  (unsigned long long)seg->size_written, (unsigned long long)start);
    seg->size_written = start + total;
    leo_ = next_offset;
    leo_waiters_.advance(leo_);
  }
  writer_running_ = false;
}

io::Task<void> PartitionLog::wait_for_space() {
  if (!out_of_space_) {
    out_of_space_ = true;
    ++stats_.out_of_space;
    std::fprintf(stderr, "storage: %s: no space left on device: appends refused, retrying\n", dir_.c_str());
  }
  // Waiting appends see leo_ below their offsets and answer Errc::out_of_space.
  leo_waiters_.wake_waiting();
  co_await space_wait_.sleep_for(space_retry_);
  space_retry_ = std::min<std::chrono::milliseconds>(space_retry_ * 2, kSpaceRetryMax);
}

void PartitionLog::maybe_flush(int64_t now) {
  if (failed_ || leo_ <= flushed_) return;
  const bool by_count = leo_.value() - flushed_.value() >= config_.flush_messages;
  const bool by_time = now - last_flush_ms_ >= config_.flush_ms;
  if (!by_count && !by_time) return;
  flush_target_ = std::max(flush_target_, leo_);
  start_flusher();
}

void PartitionLog::start_flusher() {
  if (!flusher_running_) start_loop(flusher_running_, flusher_loop());
}

void PartitionLog::start_loop(bool& running, io::Task<void> loop) {
  RUNNEL_ASSERT(!running, "log %s: a loop started twice", dir_.c_str());
  running = true;
  // Refused once close() joined the loops: nothing may touch the closed files any more.
  if (!loops_.spawn(std::move(loop))) running = false;
}

io::Task<Result<void, Errc>> PartitionLog::flush(Offset upto) {
  if (failed_) co_return Unexpected(Errc::log_failed);
  // Out of space, the offsets past the LEO belong to appends that failed: not waited for.
  const Offset target = std::min(Offset(upto.value() + 1), out_of_space_ ? leo_ : next_offset_);
  if (flushed_ >= target) co_return Result<void, Errc>{};
  flush_target_ = std::max(flush_target_, target);
  start_flusher();
  co_await flush_waiters_.wait(target);
  if (flushed_ < target) co_return Unexpected(failed_ ? Errc::log_failed : Errc::closed);
  co_return Result<void, Errc>{};
}

io::Task<void> PartitionLog::flusher_loop() {
  // One fdatasync round at a time: callers arriving while one is in flight raise flush_target_
  // and are covered by the next round (group commit).
  while (!failed_ && flushed_ < flush_target_) {
    co_await leo_waiters_.wait(flush_target_);
    if (failed_) break;
    const Offset covered = leo_;
    std::vector<std::shared_ptr<Segment>> dirty;
    for (const auto& [_, seg] : segments_) {
      if (seg->size_written > seg->size_synced) dirty.push_back(seg);
    }
    for (const std::shared_ptr<Segment>& seg : dirty) {
      const uint64_t written = seg->size_written;
      const int64_t sync_start = metrics::mono_ns();
      int res = co_await files_.fdatasync(seg->fd);
      ++stats_.fdatasyncs;
      if (env_.probe != nullptr) env_.probe->on_fsync(metrics::mono_ns() - sync_start);
      if (res < 0) {
        fail("fdatasync", res);
        break;
      }
      seg->size_synced = std::max(seg->size_synced, written);
    }
    if (failed_) break;
    // Group-commit batch size: offsets this round made durable, however many callers waited.
    if (env_.probe != nullptr && covered > flushed_) {
      env_.probe->on_group_commit(covered.value() - flushed_.value());
    }
    flushed_ = std::max(flushed_, covered);
    last_flush_ms_ = env_.clock.now_ms();
    flush_waiters_.advance(flushed_);
  }
  flusher_running_ = false;
}

io::Task<void> PartitionLog::sealer_loop() {
  while (!seal_queue_.empty() && !failed_) {
    std::shared_ptr<Segment> seg = seal_queue_.front();
    // Its last write has completed (a wait can also end because the writer ran out of space).
    while (leo_ < seg->next_offset && !failed_) co_await leo_waiters_.wait(seg->next_offset);
    if (failed_) break;
    int res = co_await finish_appends(env_, *seg);  // cut the direct-I/O padding
    if (res < 0) {
      fail("segment truncate (seal)", res);
      break;
    }
    if (res > 0 || seg->size_synced < seg->size_written) {
      const uint64_t written = seg->size_written;
      const int64_t sync_start = metrics::mono_ns();
      res = co_await files_.fdatasync(seg->fd);
      ++stats_.fdatasyncs;
      if (env_.probe != nullptr) env_.probe->on_fsync(metrics::mono_ns() - sync_start);
      if (res < 0) {
        fail("fdatasync (seal)", res);
        break;
      }
      seg->size_synced = std::max(seg->size_synced, written);
    }
    res = co_await write_index_files(*seg);
    // Everything below the next segment is now durable and indexed: recovery may skip it.
    if (res >= 0) res = co_await write_checkpoint(seg->next_offset, false);
    if (res == -ENOSPC && !closed_) {  // retried (from the index files) once there is space
      co_await space_wait_.sleep_for(space_retry_);
      continue;
    }
    if (res < 0) {
      fail("index or checkpoint write (seal)", res);
      break;
    }
    seg->seal_done = true;
    seal_queue_.erase(seal_queue_.begin());
  }
  sealer_running_ = false;
}

io::Task<int> PartitionLog::write_file(std::string name, std::vector<uint8_t> bytes) {
  int fd = co_await files_.open(dir_fd_, name.c_str(), O_CREAT | O_WRONLY | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) co_return fd;
  int res = 0;
  for (size_t done = 0; done < bytes.size() && res >= 0;) {
    res = co_await files_.write(fd, bytes.data() + done, uint32_t(bytes.size() - done), done);
    if (res == 0) res = -EIO;
    if (res > 0) done += size_t(res);
  }
  if (res >= 0) res = co_await files_.fdatasync(fd);
  co_await files_.close(fd);
  co_return res < 0 ? res : 0;
}

io::Task<int> PartitionLog::write_index_files(Segment& seg) {
  int res = co_await write_file(segment_file_name(seg.base_offset.value(), ".index"), seg.offset_index.encode());
  if (res < 0) co_return res;
  co_return co_await write_file(segment_file_name(seg.base_offset.value(), ".timeindex"), seg.time_index.encode());
}

io::Task<int> PartitionLog::write_checkpoint(Offset recovery_point, bool clean) {
  int res = co_await write_file(kCheckpointTmpName, encode_checkpoint({recovery_point.value(), clean}));
  if (res < 0) co_return res;
  res = co_await files_.rename(dir_fd_, kCheckpointTmpName, dir_fd_, kCheckpointName);
  if (res < 0) co_return res;
  co_return co_await files_.fsync(dir_fd_);
}

io::Task<void> PartitionLog::drain() { co_await loops_.idle(); }

io::Task<void> PartitionLog::close_files(bool discard) {
  if (closed_ || cleaner_.gate.closing()) co_return;
  // A cleaning reads this log's segment fds from a helper thread: stop it and wait for it
  // before any fd is closed (cleaner.h). The cleaning holds the gate; the helper thread hands
  // its end back through the ring (io::run_blocking), and the last leave resumes us.
  cleaner_.abort.store(true);
  co_await cleaner_.gate.close();
  closed_ = true;  // refuse new appends from here on
  space_wait_.abort();  // a writer or sealer waiting for space gives up now
  co_await drain();
  if (!discard && !failed_ && next_offset_ > flushed_) {
    flush_target_ = next_offset_;
    start_flusher();
    co_await flush_waiters_.wait(next_offset_);
    co_await drain();
  }
  co_await loops_.close();  // no loop starts any more: the files below may be closed
  if (!discard && !failed_ && !segments_.empty()) {
    Segment& active = *segments_.rbegin()->second;
    active.add_final_time_entry();
    int res = co_await finish_appends(env_, active);
    if (res > 0) res = co_await files_.fdatasync(active.fd);
    if (res >= 0) res = co_await write_index_files(active);
    if (res >= 0) res = co_await write_checkpoint(leo_, true);
    if (res < 0) fail("clean shutdown checkpoint", res);
  }
  for (auto& [_, seg] : segments_) {
    if (seg->dio_fd >= 0 && seg->dio_fd != seg->fd) co_await files_.close(seg->dio_fd);
    seg->dio_fd = -1;
    if (seg->fd >= 0) {
      co_await files_.close(seg->fd);
      seg->fd = -1;
    }
  }
  if (dir_fd_ >= 0) {
    co_await files_.close(dir_fd_);
    dir_fd_ = -1;
  }
  leo_waiters_.release_all();
  flush_waiters_.release_all();
}

}  // namespace runnel::storage
