#pragma once

// Start-up recovery of one partition directory (FORMAT.md, "Recovery"). Blocking file access
// only (the log env's `blocking` Files): it runs before the log serves anything. Used by
// PartitionLog::open().

#include <memory>
#include <string>

#include "broker/model/result.h"
#include "broker/storage/file_util.h"
#include "broker/storage/partition_log.h"

namespace runnel::storage {

class LogLoader {
 public:
  LogLoader(PartitionLog& log, RecoveryStats& stats) : log_(log), files_(log.env_.blocking), stats_(stats) {}
  Result<void, IoMessage> load();

 private:
  // Full scan with CRC checks; rebuilds the indexes and truncates the file after the last valid
  // batch. Returns whether bytes were cut (a corruption point), or the I/O error.
  Result<bool, IoMessage> recover_segment(Segment& seg, uint64_t file_size);
  // Loads index files and checks them against the log; false means "recover instead".
  bool load_indexes(Segment& seg, uint64_t file_size, Offset next_base);
  // Header walk from the last index entry to find next_offset (last segment after a clean stop).
  bool find_end(Segment& seg, uint64_t file_size);
  Result<void, IoMessage> write_indexes_blocking(Segment& seg);
  void rebuild_producer_state(Segment& seg);
  void remove_segment_files(int64_t base);

  PartitionLog& log_;
  Files& files_;
  RecoveryStats& stats_;
};

}  // namespace runnel::storage
