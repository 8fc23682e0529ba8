#pragma once

// One random schedule of the controller simulation, generated from a seed: the Raft
// simulation's cluster and faults (3 or 5 voters, sometimes an observer; loss, duplication,
// delay and reordering; crashes anywhere, restarts, partitions, hand-overs; slow disks that
// lose unsynced writes), with a controller on every node and the workload of workload.h. A
// chaos phase, then healing: every node up, the network whole, no broker crashes. Within a
// bound the cluster must settle (Workload::unsettled).

#include <cstdint>
#include <string>
#include <vector>

#include "controller_node.h"

namespace runnel::controller_sim {

struct ScheduleOptions {
  ControllerBugs bugs;
  bool trace = false;
  bool check_liveness = true;
};

struct ScheduleResult {
  uint64_t seed = 0;
  std::string failure;  // empty: every invariant held
  std::string profile;
  std::vector<std::string> trace;
  uint64_t events = 0;
  int64_t committed = 0;
  uint64_t requests = 0;
  uint64_t acknowledged = 0;
  uint64_t images = 0;
  uint64_t images_inside_a_batch = 0;
  uint64_t cut_batches = 0;
  uint64_t broker_crashes = 0;
  int64_t settle_ms = -1;  // heal -> settled
  bool ok() const { return failure.empty(); }
};

ScheduleResult run_schedule(uint64_t seed, const ScheduleOptions& options);

}  // namespace runnel::controller_sim
