#pragma once

// A hook for what runs on top of the simulated Raft nodes: the controller simulation
// (tests/unit/controller_sim) plugs its per-node controller in here, so it reuses the world's
// clock, network, disks and faults instead of copying them. The world calls these in event
// order; an observer that finds an invariant broken reports it through violation(), which stops
// the run like a violation of the Raft checker.

#include <optional>
#include <string>

#include "broker/raft/replica.h"

namespace runnel::raft::sim {

class WorldObserver {
 public:
  virtual ~WorldObserver() = default;
  // Node `node` crashed: everything it held in memory is gone.
  virtual void on_crash(size_t node) = 0;
  // Node `node` started (again) on what its disk kept; it knows of nothing committed yet.
  virtual void on_start(size_t node) = 0;
  // Node `node`'s commit notice: records of `replica`'s log below `high_watermark` are committed.
  virtual void on_commit(size_t node, const Replica& replica, Offset high_watermark) = 0;
  // After every event of the world, once the Raft checker has looked.
  virtual void after_event() = 0;
  virtual const std::optional<std::string>& violation() const = 0;
};

}  // namespace runnel::raft::sim
