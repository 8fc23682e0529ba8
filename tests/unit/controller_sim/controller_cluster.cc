#include "controller_cluster.h"

namespace runnel::controller_sim {

namespace {
// QuorumController's liveness loop period.
constexpr int64_t kLivenessTickMs = 250;
constexpr int64_t kClientDelayMaxMs = 5;
}  // namespace

ControllerCluster::ControllerCluster(World& world, const config::BrokerConfig& config, ControllerBugs bugs)
    : world_(world), config_(config), checker_(world.size()) {
  // Topic ids from a counter, as the decisions' unit tests do: deterministic, never zero.
  new_id_ = [this] {
    Uuid id;
    uint64_t n = ++next_topic_id_;
    id.bytes[0] = 0x51;
    for (int b = 0; b < 8; ++b) id.bytes[static_cast<size_t>(8 + b)] = static_cast<uint8_t>(n >> (8 * b));
    return id;
  };
  for (size_t i = 0; i < world.size(); ++i) {
    nodes_.push_back(std::make_unique<ControllerNode>(world, i, config_, bugs, new_id_, checker_));
    next_liveness_ms_.push_back(world.local_now(i) + kLivenessTickMs);
  }
}

void ControllerCluster::after_event() {
  for (auto& n : nodes_) n->poll();
}

void ControllerCluster::send(size_t node, const Request& request, ReplyFn reply) {
  world_.at(world_.now() + world_.random().between(1, kClientDelayMaxMs), [this, node, request, reply = std::move(reply)] {
    if (!world_.up(node)) {
      // Connection refused.
      world_.at(world_.now() + 1, [reply] { reply(Reply{.kind = Reply::Kind::lost}); });
      return;
    }
    nodes_[node]->handle(request, reply);
  });
}

void ControllerCluster::tick() {
  for (size_t i = 0; i < nodes_.size() && !checker_.violation(); ++i) {
    if (!world_.up(i) || world_.local_now(i) < next_liveness_ms_[i]) continue;
    next_liveness_ms_[i] = world_.local_now(i) + kLivenessTickMs;
    nodes_[i]->liveness_tick();
    nodes_[i]->poll();
  }
}

std::optional<size_t> ControllerCluster::active() const {
  for (size_t i = 0; i < nodes_.size(); ++i) {
    if (nodes_[i]->active()) return i;
  }
  return std::nullopt;
}

}  // namespace runnel::controller_sim
