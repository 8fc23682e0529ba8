#pragma once

// Start-up completion or roll-back of a compaction swap interrupted by a crash (called by
// LogLoader before it looks at segments; a synchronous Files). The swap protocol of one group of
// old segments b0 < b1 < ... < bk (followed by segment n) replaced by one cleaned segment:
//
//   1. job     writes and fdatasyncs "<b0>.log.cleaned"
//   2. swap    renames "<bi>.log" -> "<bi>.log.deleted" for i >= 1, fsyncs the directory
//   3. COMMIT  renames "<b0>.log.cleaned" -> "<b0>.log.swap", fsyncs the directory
//   4.         unlinks "<bi>.log.deleted" and the old index files of b0..bk
//   5.         renames "<b0>.log.swap" -> "<b0>.log" (replacing the old b0), fsyncs the directory
//   6.         writes the new "<b0>.index"/".timeindex"
//
// Recovery, by what the directory holds:
//   "*.cleaned"            the commit did not happen: deleted (old segments are intact or in
//                          "<bi>.log.deleted", see below)
//   "<b>.log.swap"         committed: every "<x>.log.deleted" with b < x < (next ".log" or
//                          ".log.swap" base above b) belongs to it and is deleted, as are the
//                          index files of b and of those x; then the swap is renamed to "<b>.log"
//                          (its indexes are rebuilt by the loader's CRC scan)
//   "<x>.log.deleted" left  not covered by a swap: step 2 of an uncommitted swap, renamed back
//                          to "<x>.log" (or deleted if "<x>.log" exists)
// Because steps 2-3 move every replaced log out of the ".log" namespace before the commit, the
// range a swap replaces is exact: a crash at any point loses no record and resurrects none.

#include <string>

#include "broker/model/result.h"
#include "broker/storage/file_util.h"
#include "broker/storage/files.h"

namespace runnel::storage {

struct CleanerRecoveryStats {
  int cleaned_deleted = 0;
  int swaps_completed = 0;
  int segments_restored = 0;
  int deleted_removed = 0;
};

// An error names the step that failed (an I/O error).
Result<void, IoMessage> recover_interrupted_cleaning(Files& files, int dir_fd, CleanerRecoveryStats& stats);

}  // namespace runnel::storage
