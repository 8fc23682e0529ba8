#pragma once

// LogEnv: everything a PartitionLog, its loader and its cleaner need from outside, passed
// explicitly (no thread-locals, no private clocks), so a test can swap any of it: the file
// system (files.h), the staging pool and tail-read budget of the ring thread, the metrics
// probe and the clock.
//
// One LogEnv per ring thread (a shard owns it; tests build their own); every log of that thread
// shares it and it must outlive them. Thread safety is that of its parts: `files`, `staging` and
// `recent` belong to the ring thread; `blocking` is used from start-up and helper threads.

#include <chrono>
#include <cstdint>

#include "broker/io/ring.h"
#include "broker/storage/files.h"
#include "broker/storage/recent_writes.h"
#include "broker/storage/staging_pool.h"

namespace runnel::metrics {
class ShardProbe;
}

namespace runnel::storage {

// Wall-clock milliseconds (segment.ms, flush.ms, retention and compaction lag all compare
// record timestamps, which are wall-clock).
class Clock {
 public:
  virtual ~Clock() = default;
  virtual int64_t now_ms() const = 0;
};

class SystemClock final : public Clock {
 public:
  static const SystemClock& instance() {
    static const SystemClock clock;
    return clock;
  }
  int64_t now_ms() const override {
    using namespace std::chrono;
    return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
  }
};

// A clock that moves only when told (tests).
class ManualClock final : public Clock {
 public:
  explicit ManualClock(int64_t start_ms = 1'700'000'000'000) : now_(start_ms) {}
  int64_t now_ms() const override { return now_; }
  void advance(int64_t ms) { now_ += ms; }
  void set(int64_t ms) { now_ = ms; }

 private:
  int64_t now_;
};

struct LogEnv {
  io::Ring& ring;                   // the owning thread's event loop (timers, helper threads)
  Files& files;                     // serving path (RingFiles in the broker)
  Files& blocking;                  // start-up recovery and the cleaner job (synchronous)
  StagingPool& staging;             // aligned blocks for direct writes
  RecentWrites& recent;             // tail-read budget across this thread's segments
  const Clock& clock;
  metrics::ShardProbe* probe = nullptr;  // fsync latency, group commit; null in tests
};

}  // namespace runnel::storage
