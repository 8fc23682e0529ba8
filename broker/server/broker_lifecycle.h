#pragma once

// BrokerLifecycle: this node as a broker of its cluster, as Kafka's BrokerLifecycleManager.
// It registers with the active controller (BrokerRegistration: node id, a fresh incarnation id,
// the advertised listeners, the rack), then sends a heartbeat every broker.heartbeat.interval.ms
// (BrokerHeartbeat with its broker epoch and the last metadata offset it applied). A new
// registration is fenced; the controller unfences it once a heartbeat shows it caught up, and
// fences it again when heartbeats stop for broker.session.timeout.ms. A heartbeat refused with
// STALE_BROKER_EPOCH or BROKER_ID_NOT_REGISTERED (the controller forgot or replaced it)
// registers again.
//
// Controlled shutdown (SIGTERM): heartbeats ask to shut down (WantShutDown) until the
// controller has moved leadership away and answers ShouldShutDown, or a timeout passes.
//
// The active controller may be this node: then the calls go to the local QuorumController
// directly; otherwise to the quorum leader's controller endpoint through the driver's peer
// client. Shard 0 only.

#include <chrono>
#include <optional>

#include "broker/io/abort_source.h"
#include "broker/io/task.h"
#include "broker/io/task_group.h"
#include "broker/io/wakeup.h"
#include "broker/metadata/records.h"
#include "broker/model/uuid.h"
#include "broker/server/quorum_controller.h"

namespace runnel::server {

class Broker;

class BrokerLifecycle {
 public:
  BrokerLifecycle(Broker& broker, quorum::QuorumDriver& driver, QuorumController& controller);
  ~BrokerLifecycle();

  void start();
  // Controlled shutdown: returns once the controller lets the broker go, or after `timeout`.
  io::Task<void> shut_down(std::chrono::milliseconds timeout);
  io::Task<void> stop();

  // -1 until registered.
  metadata::BrokerEpoch epoch() const { return epoch_; }
  bool fenced() const { return fenced_; }

 private:
  io::Task<void> loop();
  io::Task<std::optional<metadata::BrokerEpoch>> register_once();
  io::Task<std::optional<QuorumController::HeartbeatAnswer>> heartbeat_once();

  Broker& broker_;
  quorum::QuorumDriver& driver_;
  QuorumController& controller_;
  Uuid incarnation_id_;
  metadata::BrokerEpoch epoch_{-1};
  bool fenced_ = true;
  bool want_shut_down_ = false;
  bool may_shut_down_ = false;
  bool stopping_ = false;
  io::Wakeup next_beat_;  // ends the wait between heartbeats early (shutdown asks at once)
  io::Wakeup released_;   // the controller answered ShouldShutDown
  io::TaskGroup tasks_;
};

}  // namespace runnel::server
