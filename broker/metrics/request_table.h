#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <vector>

#include "broker/metrics/local_counter.h"

namespace runnel::metrics {

// Requests counted by (API key, version, error code) on one shard: a fixed-capacity open-
// addressing table, so the hot path never allocates and never locks. One writer (the ring
// thread); readers (scrapes) walk it concurrently: a slot's key is published with release
// before its count is first bumped, and never changes afterwards.
//
// Combinations beyond the capacity (which real traffic cannot reach: ~70 APIs times a few
// versions and errors in use) are counted in overflow() rather than dropped silently.
class RequestTable {
 public:
  static constexpr size_t kCapacity = 1024;

  struct Row {
    int16_t api_key;
    int16_t api_version;
    int16_t error_code;
    uint64_t count;
  };

  void add(int16_t api_key, int16_t api_version, int16_t error_code);
  std::vector<Row> read() const;
  uint64_t overflow() const { return overflow_.value(); }

 private:
  struct Slot {
    std::atomic<uint64_t> key{0};  // 0: empty; else packed key | 1 << 63
    LocalCounter count;
  };
  std::array<Slot, kCapacity> slots_;
  LocalCounter overflow_;
};

}  // namespace runnel::metrics
