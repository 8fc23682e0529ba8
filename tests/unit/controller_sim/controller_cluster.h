#pragma once

// The controllers of all simulated nodes, plugged into the Raft simulation's world as its
// observer (tests/unit/raft/sim_observer.h): the world tells them of crashes, starts and commit
// notices, and after every event each controller answers what committed and starts its next
// decision. Clients reach a node over a client network of their own (1–5 ms, no loss: a lost
// request looks to a client just like a crashed node, which the world already does).

#include <memory>
#include <optional>
#include <vector>

#include "controller_checker.h"
#include "controller_node.h"

namespace runnel::controller_sim {

class ControllerCluster final : public raft::sim::WorldObserver {
 public:
  ControllerCluster(World& world, const config::BrokerConfig& config, ControllerBugs bugs);

  void on_crash(size_t node) override { nodes_[node]->reset(); }
  void on_start(size_t node) override { nodes_[node]->reset(); }
  void on_commit(size_t node, const raft::Replica& replica, Offset high_watermark) override {
    nodes_[node]->on_commit(replica, high_watermark);
  }
  void after_event() override;
  const std::optional<std::string>& violation() const override { return checker_.violation(); }

  // Sends `request` to `node`; `reply` hears the answer, or `lost` if the node is down.
  void send(size_t node, const Request& request, ReplyFn reply);
  // Runs the liveness rounds that are due (every 250 ms of each node's clock).
  void tick();
  // The node that is the active controller, if one is.
  std::optional<size_t> active() const;

  size_t size() const { return nodes_.size(); }
  const ControllerNode& node(size_t i) const { return *nodes_[i]; }
  ControllerChecker& checker() { return checker_; }
  const config::BrokerConfig& config() const { return config_; }

 private:
  World& world_;
  config::BrokerConfig config_;
  ControllerChecker checker_;
  uint64_t next_topic_id_ = 0;
  metadata::TopicIdSource new_id_;
  std::vector<std::unique_ptr<ControllerNode>> nodes_;
  std::vector<int64_t> next_liveness_ms_;
};

}  // namespace runnel::controller_sim
