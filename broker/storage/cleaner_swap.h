#pragma once

// Internal to the cleaner: the ring-thread side that needs PartitionLog's private state
// (friend). cleaner.h is the public API; cleaner_recovery.h describes the swap protocol.

#include <cstdint>
#include <memory>
#include <vector>

#include "broker/io/task.h"
#include "broker/storage/cleaner.h"

namespace runnel::storage {

class LogCompactor {
 public:
  static std::vector<SegmentInfo> describe(const PartitionLog& log);
  static CleanableRange assess(const PartitionLog& log, int64_t now_ms);
  static io::Task<CleanResult> clean(PartitionLog& log, CleanerConfig config, int64_t now_ms);

 private:
  // Swaps one group; 1 swapped, 0 skipped (the old segments changed meanwhile), 2 stopped by a
  // test stop point, kSwapNoSpace undone for lack of space (the log goes on, cleaning retried
  // later), < 0 -errno (the log is failed).
  static constexpr int kSwapNoSpace = 3;
  static io::Task<int> swap_group(PartitionLog& log, CleanedGroup& group);
  // ENOSPC before the commit rename: renames old segments 1..renamed-1 back from ".deleted".
  static io::Task<int> undo_uncommitted(PartitionLog& log, CleanedGroup& group, size_t renamed);
  static io::Task<int> write_checkpoint(PartitionLog& log, int64_t offset);
};

}  // namespace runnel::storage
