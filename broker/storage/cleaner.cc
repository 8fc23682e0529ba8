// The cleaner's driver: assess, snapshot, off-ring job, swap, checkpoint (cleaner.h).
#include "broker/storage/cleaner.h"

#include <algorithm>
#include <atomic>

#include "broker/io/blocking.h"
#include "broker/storage/cleaner_swap.h"
#include "broker/storage/partition_log.h"

namespace runnel::storage {
namespace {

// Cleanings running in the process (all ring threads): bounded by log.cleaner.threads.
std::atomic<int32_t> g_running{0};

bool acquire_slot(int32_t max) {
  int32_t cur = g_running.load();
  while (cur < max) {
    if (g_running.compare_exchange_weak(cur, cur + 1)) return true;
  }
  return false;
}

}  // namespace

std::vector<SegmentInfo> LogCompactor::describe(const PartitionLog& log) {
  std::vector<SegmentInfo> out;
  out.reserve(log.segments_.size());
  for (const auto& [base, seg] : log.segments_) {
    SegmentInfo s;
    s.base_offset = base.value();
    s.next_offset = seg->next_offset.value();
    s.size_bytes = int64_t(seg->size_assigned);
    s.max_timestamp = seg->max_timestamp;
    s.first_batch_timestamp = seg->rolling_timestamp;
    s.stable = seg->sealed && seg->seal_done && seg->fd >= 0 && seg->size_written == seg->size_assigned;
    out.push_back(s);
  }
  return out;
}

CleanableRange LogCompactor::assess(const PartitionLog& log, int64_t now_ms) {
  return assess_cleanable(describe(log), log.log_start_.value(), log.leo_.value(), log.cleaner_.checkpoint, log.config_,
                          now_ms, log.cleaner_.earliest_delete_horizon);
}

io::Task<CleanResult> LogCompactor::clean(PartitionLog& log, CleanerConfig config, int64_t now_ms) {
  CleanResult result;
  if (log.failed_ || log.closed_ || log.cleaner_.running) co_return result;
  // Inside the log's cleaner gate until the end: close() waits for this cleaning.
  io::Gate::Holder inside(log.cleaner_.gate);
  if (!inside.ok()) co_return result;
  result.range = assess(log, now_ms);
  if (!result.range.cleanable) co_return result;

  CleanerState& state = log.cleaner_;
  state.running = true;
  state.abort.store(false);
  // Snapshot of the segments the job may read; `held` keeps their fds open until we are done.
  std::vector<std::shared_ptr<Segment>> held;
  CleanerJobInput in;
  in.files = &log.env_.blocking;
  in.segment_files = &log.files_;
  in.dir_fd = log.dir_fd_;
  for (const auto& [base, seg] : log.segments_) {
    if (base.value() >= result.range.first_uncleanable) break;
    held.push_back(seg);
    in.segments.push_back({base.value(), seg->next_offset.value(), seg->fd, seg->size_written});
  }
  in.first_dirty = result.range.first_dirty;
  in.first_uncleanable = result.range.first_uncleanable;
  in.segment_bytes = log.config_.segment_bytes;
  in.index_interval_bytes = log.config_.index_interval_bytes;
  in.delete_retention_ms = log.config_.delete_retention_ms;
  in.now_ms = now_ms;
  in.dedupe_buffer_bytes = size_t(std::max<int64_t>(config.dedupe_buffer_size / std::max(config.threads, 1), 1 << 16));
  in.io_buffer_bytes = size_t(std::max(config.io_buffer_size, 4096));
  in.abort = &state.abort;
  in.lower_priority = true;

  auto job = [&in]() { return run_cleaner_job(in); };
  CleanerJobResult jr = co_await io::run_blocking(log.ring_, job);
  result.stats = jr.stats;
  if (jr.error != 0 || jr.aborted) {
    result.status = jr.aborted ? CleanResult::Status::aborted : CleanResult::Status::failed;
    result.message = jr.message;
    state.running = false;
    co_return result;
  }
  state.swapping = true;
  int res = 0;
  size_t next = 0;
  while (next < jr.groups.size()) {
    CleanedGroup& g = jr.groups[next++];
    res = co_await swap_group(log, g);
    if (res < 0 || res == 2 || res == kSwapNoSpace) break;
    if (res == 1) {
      ++result.groups_swapped;
      result.segments_replaced += g.old_bases.size();
    }
  }
  if (res == kSwapNoSpace) {
    // The groups not reached are dropped too: their cleaned files would only take space.
    for (; next < jr.groups.size(); ++next) {
      co_await log.files_.unlink(log.dir_fd_, cleaned_file_name(jr.groups[next].segment->base_offset.value()).c_str());
    }
  }
  state.swapping = false;
  if (res == 2) {  // unit-test stop point: leave everything as it is
    result.status = CleanResult::Status::aborted;
    result.message = "stopped at test stop point";
    state.running = false;
    co_return result;
  }
  if (res == kSwapNoSpace) {  // groups swapped before this one stay swapped
    result.status = CleanResult::Status::aborted;
    result.message = "no space to swap the cleaned segment in";
    state.running = false;
    co_return result;
  }
  if (res < 0) {
    result.status = CleanResult::Status::failed;
    result.message = "swap failed";
    state.running = false;
    co_return result;
  }
  res = co_await write_checkpoint(log, jr.map_end);
  // Without space the checkpoint stays behind: the next cleaning only redoes some work.
  if (res < 0 && res != -ENOSPC) log.fail("cleaner checkpoint", res);
  state.checkpoint = jr.map_end;
  state.earliest_delete_horizon = jr.earliest_delete_horizon;
  ++state.cleanings;
  state.segments_replaced += result.segments_replaced;
  state.bytes_reclaimed += std::max<int64_t>(0, jr.stats.bytes_read - jr.stats.bytes_written);
  result.new_checkpoint = jr.map_end;
  result.status = CleanResult::Status::cleaned;
  state.running = false;
  co_return result;
}

CleanableRange assess_log(const PartitionLog& log, int64_t now_ms) { return LogCompactor::assess(log, now_ms); }

io::Task<CleanResult> clean_log(PartitionLog& log, const CleanerConfig& config, int64_t now_ms) {
  return LogCompactor::clean(log, config, now_ms);
}

io::Task<CleanResult> clean_filthiest(const std::vector<PartitionLog*>& logs, const CleanerConfig& config,
                                      int64_t now_ms) {
  CleanResult none;
  if (!config.enable || config.threads <= 0) co_return none;
  PartitionLog* best = nullptr;
  double best_priority = -1;
  for (PartitionLog* log : logs) {
    if (!log->config().cleanup_compact || log->failed()) continue;
    const CleanableRange r = assess_log(*log, now_ms);
    if (r.cleanable && r.priority() > best_priority) {
      best = log;
      best_priority = r.priority();
    }
  }
  if (best == nullptr) co_return none;
  if (!acquire_slot(config.threads)) {
    none.status = CleanResult::Status::busy;
    co_return none;
  }
  CleanResult r = co_await LogCompactor::clean(*best, config, now_ms);
  g_running.fetch_sub(1);
  co_return r;
}

}  // namespace runnel::storage
