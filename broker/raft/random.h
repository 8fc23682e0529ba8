#pragma once

// A small deterministic generator (SplitMix64). The replica draws its election jitter from one,
// so the simulation reproduces every schedule from its seed; production seeds it from the clock.

#include <cstdint>

#include "broker/model/assert.h"

namespace runnel::raft {

class Random {
 public:
  explicit Random(uint64_t seed) : state_(seed) {}

  uint64_t next() {
    uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }

  // Uniform in [0, bound).
  uint64_t below(uint64_t bound) {
    RUNNEL_ASSERT(bound > 0, "Random::below(%llu)", static_cast<unsigned long long>(bound));
    return next() % bound;
  }

  // Uniform in [lo, hi], both inclusive.
  int64_t between(int64_t lo, int64_t hi) {
    RUNNEL_ASSERT(lo <= hi, "Random::between(%lld, %lld)", static_cast<long long>(lo), static_cast<long long>(hi));
    return lo + static_cast<int64_t>(below(static_cast<uint64_t>(hi - lo) + 1));
  }

  // True with probability `p` (0..1).
  bool chance(double p) { return static_cast<double>(next() >> 11) * 0x1.0p-53 < p; }

 private:
  uint64_t state_;
};

}  // namespace runnel::raft
