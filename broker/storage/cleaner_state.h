#pragma once

// The log cleaner's per-partition state, held by PartitionLog (cleaner.h explains the cleaner).

#include <atomic>
#include <cstdint>
#include <limits>

#include "broker/io/gate.h"

namespace runnel::storage {

struct CleanerState {
  // First dirty offset (Kafka's cleaner-offset-checkpoint entry); -1: never cleaned.
  int64_t checkpoint = -1;
  // Smallest delete horizon of a tombstone batch the last cleaning kept; INT64_MAX when none or
  // unknown (after a restart it is learnt again by the next cleaning).
  int64_t earliest_delete_horizon = std::numeric_limits<int64_t>::max();
  // A cleaning holds this log (the off-ring job reads its segment fds): it runs inside `gate`,
  // which close() closes and awaits. `running` says whether one is under way.
  io::Gate gate;
  bool running = false;
  // The swap is renaming files: retention must not delete segments meanwhile.
  bool swapping = false;
  // Set by close() so the off-ring job stops early; read by the job thread.
  std::atomic<bool> abort{false};
  // Totals for observability and tests.
  uint64_t cleanings = 0;
  uint64_t segments_replaced = 0;
  int64_t bytes_reclaimed = 0;
};

}  // namespace runnel::storage
