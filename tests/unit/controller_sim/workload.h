#pragma once

// What the cluster's users do to the controllers in a simulated schedule.
//
// Brokers (ids 0..n-1, apart from the quorum's nodes, as in a cluster whose controllers run on
// their own nodes): each registers with an incarnation id, heartbeats, now and then crashes
// (its heartbeats stop: the active controller must fence it after the session timeout) and
// comes back as a new incarnation (refused as a duplicate until the old one is fenced), or
// goes through a controlled shutdown. A broker's heartbeat reports the offset applied by a
// random node (it fetches the log from some replica), so it is caught up, or not yet.
//
// Admin clients: create topics (names from a small set, so creates collide; partition counts
// and replication factors sometimes invalid or larger than the unfenced brokers), delete them,
// add partitions, alter retention.ms, and allocate producer-id blocks for a broker's epoch
// (sometimes a stale one). Requests go to a random node; NOT_CONTROLLER, a timeout or a broken
// connection send them to another after a backoff, within a retry budget, as Kafka's clients do.

#include <cstdint>
#include <string>
#include <vector>

#include "controller_cluster.h"

namespace runnel::controller_sim {

struct WorkloadOptions {
  int brokers = 3;
  int64_t heartbeat_ms = 500;
  int64_t admin_every_ms = 100;  // an admin request every ~this long
  double broker_crash_per_step = 0.001;
  double broker_shutdown_per_step = 0.0005;
};

class Workload {
 public:
  Workload(World& world, ControllerCluster& cluster, WorkloadOptions options);

  // Every 10 ms of simulated time.
  void step();
  // The heal phase: brokers no longer crash, start or begin shutting down.
  void freeze() { frozen_ = true; }
  // Empty once the cluster settled after healing: an active controller whose image has every
  // stopped broker fenced, every running one registered (this incarnation) and unfenced, and a
  // leader for every partition with an unfenced ISR member. Otherwise why not.
  std::string unsettled() const;

  uint64_t requests() const { return requests_; }
  uint64_t broker_crashes() const { return crashes_; }

 private:
  struct Broker {
    NodeId id{0};
    bool up = false;
    uint32_t incarnation_seq = 0;
    Uuid incarnation;
    metadata::BrokerEpoch epoch{-1};
    bool in_flight = false;
    bool shutting_down = false;
    int64_t next_ms = 0;
    int64_t restart_ms = 0;
    size_t target = 0;
    uint64_t generation = 0;  // replies to an earlier life are ignored
  };
  struct AdminOp {
    Request request;
    int attempts = 0;
  };

  void start(Broker& b);
  void step_broker(Broker& b);
  void on_broker_reply(size_t index, uint64_t generation, bool registering, const Reply& reply);
  void issue_admin();
  void send_admin(AdminOp op);
  size_t any_node() { return static_cast<size_t>(world_.random().below(cluster_.size())); }
  Offset broker_metadata_offset();

  World& world_;
  ControllerCluster& cluster_;
  WorkloadOptions options_;
  std::vector<Broker> brokers_;
  bool frozen_ = false;
  int admin_in_flight_ = 0;
  int64_t next_admin_ms_ = 0;
  uint64_t requests_ = 0;
  uint64_t crashes_ = 0;
};

}  // namespace runnel::controller_sim
