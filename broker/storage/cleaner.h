#pragma once

// The log cleaner: key-based compaction of logs with cleanup.policy containing "compact"
// (Kafka's LogCleaner). One cleaning of one partition:
//
//   ring thread   assess (cleaner_selection.h): dirty range, ratio, lag rules; snapshot the
//                 sealed segments it may read (shared_ptrs keep their fds open)
//   helper thread run_cleaner_job (cleaner_job.h): offset map, rewrite into ".cleaned" files,
//                 fdatasync. All reading, hashing, (de)compression and writing happens here,
//                 so produce and fetch on the ring thread are never stalled by it.
//   ring thread   swap (cleaner_swap.cc): per group, rename protocol of cleaner_recovery.h, and
//                 ONE synchronous replacement of the old Segment objects by the new one in the
//                 log's segment map; then the cleaner checkpoint.
//
// Readers: a Fetch in flight holds shared_ptrs to the segments it reads, and Segment closes
// its fd only in its destructor, so a read that started on an old segment finishes on the old
// file (renamed or unlinked, the inode lives until the last fd closes). A read that continues
// to the next segment looks it up in the map again and finds the new one, which holds a
// subset of the same offsets, so nothing is skipped or repeated. Fetch at an offset that was
// compacted away returns the next batch (the read walks to the first batch whose last offset is
// >= the start). Retention waits while a swap renames files; close() aborts a running job and
// waits for it.
//
// Concurrency across partitions: log.cleaner.threads bounds the cleanings running at once in
// the whole process (CleanerSlots); each ring thread runs at most one at a time. The offset map
// of each cleaning gets log.cleaner.dedupe.buffer.size / log.cleaner.threads bytes, as Kafka.

#include <cstdint>
#include <string>
#include <vector>

#include "broker/io/task.h"
#include "broker/storage/cleaner_job.h"
#include "broker/storage/cleaner_selection.h"

namespace runnel::storage {

class PartitionLog;

struct CleanerConfig {
  bool enable = true;                          // log.cleaner.enable
  int32_t threads = 1;                         // log.cleaner.threads (0: no cleaning)
  int64_t backoff_ms = 15'000;                 // log.cleaner.backoff.ms
  int64_t dedupe_buffer_size = 128LL << 20;    // log.cleaner.dedupe.buffer.size (all threads)
  int32_t io_buffer_size = 512 << 10;          // log.cleaner.io.buffer.size (write buffer)
};

struct CleanResult {
  enum class Status : uint8_t { nothing, cleaned, busy, aborted, failed };
  Status status = Status::nothing;
  std::string message;
  CleanableRange range;
  int64_t new_checkpoint = -1;
  size_t groups_swapped = 0;
  size_t segments_replaced = 0;
  CleanerStats stats;
};

// Where a test may stop (or an env-configured crash may kill) the swap of a group.
enum class CleanerCrashPoint : uint8_t {
  none,
  after_cleaned,        // cleaned file written, nothing renamed
  before_commit,        // old logs (i >= 1) renamed to .deleted
  after_commit,         // .cleaned renamed to .swap
  before_final_rename,  // .deleted and old indexes unlinked
  before_index_files,   // .swap renamed to .log
};
const char* crash_point_name(CleanerCrashPoint p);

// Test hooks. RUNNEL_TEST_CLEANER_CRASH_AT=<point name> (read once per process) makes the
// broker SIGKILL itself at that point of the first swap (integration crash tests). For unit
// tests, set_cleaner_stop_point() makes the swap return at that point, leaving the files and
// the in-memory state as they are (the test then drops the log as a crash would).
void set_cleaner_stop_point(CleanerCrashPoint p);

// The cleanable range of a log now (no side effects).
CleanableRange assess_log(const PartitionLog& log, int64_t now_ms);

// Cleans `log` if assess_log says so. Must run on the log's ring thread.
io::Task<CleanResult> clean_log(PartitionLog& log, const CleanerConfig& config, int64_t now_ms);

// One pass of a ring thread's cleaner: picks the filthiest cleanable log among `logs` (forced
// ones first), takes a process-wide slot (busy when log.cleaner.threads are in use) and cleans
// it. `logs` is only read before the first suspension.
io::Task<CleanResult> clean_filthiest(const std::vector<PartitionLog*>& logs, const CleanerConfig& config,
                                      int64_t now_ms);

}  // namespace runnel::storage
