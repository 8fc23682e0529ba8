#pragma once

// What the coordinator needs from the world, as interfaces so the state machine runs in unit
// tests with a fake clock and an in-memory journal (no ring, no sockets, no files).

#include <cstdint>
#include <functional>
#include <vector>

#include "broker/group/records.h"
#include "broker/model/error_code.h"

namespace runnel::group {

// One-shot timers on the coordinator's thread. A cancelled timer never runs.
class Timers {
 public:
  using Id = uint64_t;
  virtual ~Timers() = default;
  virtual int64_t now_ms() = 0;  // wall clock (commit timestamps are persisted)
  virtual Id schedule(int64_t delay_ms, std::function<void()> fn) = 0;
  virtual void cancel(Id id) = 0;
};

// Durable appends to one __consumer_offsets partition. `done` runs on the coordinator's thread
// once the records are durable (or failed), never inside append() itself.
class Journal {
 public:
  virtual ~Journal() = default;
  virtual void append(int32_t partition, std::vector<JournalRecord> records,
                      std::function<void(ErrorCode)> done) = 0;
};

}  // namespace runnel::group
