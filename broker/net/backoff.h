#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <random>

namespace runnel::net {

// Exponential backoff with jitter between connection attempts, as Kafka's ExponentialBackoff
// does for reconnect.backoff.ms / reconnect.backoff.max.ms: the n-th consecutive failure waits
// initial * 2^(n-1), capped at max, times a random factor in [1 - jitter, 1 + jitter] so that
// many clients of a restarted peer do not reconnect in lockstep. The result never exceeds max.
class Backoff {
 public:
  struct Policy {
    std::chrono::milliseconds initial{50};  // reconnect.backoff.ms
    std::chrono::milliseconds max{1000};    // reconnect.backoff.max.ms
    double jitter = 0.2;
  };

  Backoff(Policy policy, uint64_t seed) : policy_(policy), rng_(seed) {}

  // The wait after `failures` consecutive failed attempts (0: none, no wait).
  std::chrono::milliseconds delay(uint32_t failures) {
    if (failures == 0) return std::chrono::milliseconds::zero();
    const uint32_t doublings = std::min<uint32_t>(failures - 1, 30);
    const double base = std::min<double>(static_cast<double>(policy_.initial.count()) * double(1u << doublings),
                                         static_cast<double>(policy_.max.count()));
    std::uniform_real_distribution<double> factor(1.0 - policy_.jitter, 1.0 + policy_.jitter);
    const double jittered = std::min(base * factor(rng_), static_cast<double>(policy_.max.count()));
    return std::chrono::milliseconds(static_cast<int64_t>(jittered));
  }

  const Policy& policy() const { return policy_; }

 private:
  Policy policy_;
  std::mt19937_64 rng_;
};

}  // namespace runnel::net
