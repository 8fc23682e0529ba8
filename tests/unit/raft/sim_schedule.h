#pragma once

// One random schedule of the Raft simulation, generated from a seed: a cluster of 3 or 5
// voters (sometimes with an observer), a fault profile (message loss, duplication, delay and
// reordering), a chaos phase of crashes, restarts, symmetric and one-way partitions and random
// proposals, then a heal phase in which every node restarts and the network is whole again,
// and the cluster must elect a leader and commit a new record on every node within a bound.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "broker/raft/config.h"
#include "broker/raft/random.h"

namespace runnel::raft::sim {

// After healing, a leader must have committed a new record on every node within this long;
// with Kafka's default timeouts that is ten election timeouts (the fetch timeout,
// check-quorum and a few split pre-vote rounds fit).
inline constexpr int64_t kLivenessBoundMs = 10'000;

struct ScheduleOptions {
  InjectedBugs bugs;
  bool trace = false;
  bool check_liveness = true;
  std::optional<bool> dynamic;  // a dynamic quorum (KIP-853); unset: a third of the seeds
};

struct ScheduleResult {
  uint64_t seed = 0;
  std::string failure;  // empty: every invariant held
  std::string profile;  // what the seed chose, for the report
  std::vector<std::string> trace;
  int64_t recovery_ms = -1;  // heal -> a new record committed everywhere
  uint64_t events = 0;
  int64_t committed = 0;
  int64_t epochs = 0;
  int64_t voter_changes = 0;         // AddRaftVoter/RemoveRaftVoter answered with success
  int64_t committed_voter_sets = 0;  // voters records committed (the first leader's included)
  bool ok() const { return failure.empty(); }
};

ScheduleResult run_schedule(uint64_t seed, const ScheduleOptions& options);

class World;
// One fault of the chaos phase, chosen with the world's randomness: a crash (half of them of
// the leader, half restarted within 300 ms), a restart, an isolated node, a random split,
// one-way cuts, a graceful hand-over, or healing. The controller simulation injects the same.
void inject_fault(World& w);
// The network and disk faults of a schedule, drawn from `plan`: loss, duplication, delays (and
// so reordering), and each node's fsync latency.
void choose_faults(World& w, Random& plan);
// inject_fault at random times, about every `every_ms`, until `until_ms`.
void schedule_faults(World& w, Random& plan, int64_t every_ms, int64_t until_ms);
// The end of the chaos: the network whole and reliable (still reordering), no more crashes,
// every node up.
void heal(World& w);

}  // namespace runnel::raft::sim
