#pragma once

// One simulated node's metadata controller: what broker/server/quorum_controller.cc does on
// shard 0, as an event-driven object over the simulated raft::Replica instead of coroutines.
// It calls the same production code for everything that decides or changes state:
// metadata::replay_committed to apply committed records, and the pure decisions of
// broker/metadata (create/delete topics and partitions, alter configs, producer ids, broker
// registration, fencing, unfencing, controlled shutdown) on the committed image.
//
// The orchestration mirrors QuorumController step for step, since its races are what the
// simulation is for: decisions run one at a time (its AsyncMutex is the queue here), each on
// the committed image, checking that the node is the active controller (leader, its epoch's
// first record committed, everything committed applied); the records of one decision are one
// proposal, answered once applied, or NOT_CONTROLLER when the epoch or role changes first.
// Heartbeats check activity and the registration when they arrive and decide later, under the
// lock, as QuorumController::heartbeat does. The liveness loop fences a broker whose heartbeats
// stopped for broker.session.timeout.ms, giving every broker a full session in a new epoch.
//
// A crash loses everything in memory: waiting requests hear `lost`.

#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <vector>

#include "broker/config/broker_config.h"
#include "broker/metadata/image.h"
#include "broker/metadata/topic_decisions.h"
#include "controller_checker.h"
#include "requests.h"
#include "sim_world.h"

namespace runnel::controller_sim {

using raft::sim::World;

// Deliberate controller bugs, to show that the checks catch them (controller_bugs_test.cc).
struct ControllerBugs {
  bool decide_on_stale_image = false;   // decisions see the image before the last applied range
  bool apply_twice = false;             // each applied range is applied once more, offsets ignored
  bool fence_keeps_leadership = false;  // fencing drops its partition changes: a fenced leader stays
  // Not a bug of this model but of the orchestration it mirrors: a commit that times out while
  // the node still leads frees the lock, and the next decision is made on a committed image
  // without that batch, which may still commit. QuorumController's timeout is 30 s, longer than
  // any schedule stalls a leader; 1 s shows what a longer stall (a disk stuck in fsync) does.
  bool short_commit_timeout = false;
  bool any() const { return decide_on_stale_image || apply_twice || fence_keeps_leadership || short_commit_timeout; }
};

class ControllerNode {
 public:
  ControllerNode(World& world, size_t node, const config::BrokerConfig& config, ControllerBugs bugs,
                 const metadata::TopicIdSource& new_id, ControllerChecker& checker);

  // The node crashed or restarted: the image is rebuilt from the log; waiting requests are lost.
  void reset();
  // Commit notice: apply the committed records.
  void on_commit(const raft::Replica& replica, Offset high_watermark);
  // After every event: answer what committed or failed, start the next queued decision.
  void poll();
  // One round of the liveness loop (every 250 ms of the node's clock).
  void liveness_tick();
  // A request arrives; `reply` is called once (answered or lost).
  void handle(const Request& request, ReplyFn reply);

  bool active() const;
  const metadata::Image& image() const { return image_; }
  Offset applied() const { return applied_; }

 private:
  using Done = std::function<void(metadata::Answer<void>)>;
  struct PendingCommit {
    LeaderEpoch epoch{0};
    Offset last{0};
    int64_t deadline_ms = 0;
    Done done;
  };

  const raft::Replica* replica() const { return world_.replica(node_); }
  int64_t now() const { return world_.local_now(node_); }
  const metadata::Image& decision_image() const;
  // QuorumController's AsyncMutex: `critical` runs when the lock is free and must call
  // unlock() exactly once, perhaps after commits.
  void lock(std::function<void()> critical);
  void unlock();
  // QuorumController::commit: propose `records` as one batch; `done` hears the outcome.
  void commit(const std::vector<metadata::Record>& records, Done done);
  bool settle_pending();
  // Sends `reply` for request `id` (if it is still waiting) after a network delay.
  void answer(uint64_t id, Reply reply);
  void note(const std::string& line) const;

  // Answers NOT_CONTROLLER and unlocks when this node is not the active controller.
  bool refuse_unless_active(uint64_t id);
  Done answer_when_committed(uint64_t id, const Request& request, Reply reply);
  void decide_topic(uint64_t id, const Request& request);
  void decide_config(uint64_t id, const Request& request);
  void decide_producer_ids(uint64_t id, const Request& request);
  void decide_registration(uint64_t id, const Request& request);
  void heartbeat(uint64_t id, const Request& request);
  void fence(NodeId broker);

  World& world_;
  size_t node_;
  const config::BrokerConfig& config_;
  ControllerBugs bugs_;
  const metadata::TopicIdSource& new_id_;
  ControllerChecker& checker_;

  metadata::Image image_;
  metadata::Image previous_image_;  // before the last applied range (the stale-image bug)
  Offset applied_{0};

  bool locked_ = false;
  std::deque<std::function<void()>> lock_queue_;
  std::optional<PendingCommit> pending_;
  Offset last_commit_{-1};  // the last offset of the batch whose commit was answered last

  std::map<int32_t, int64_t> last_heartbeat_ms_;
  LeaderEpoch liveness_epoch_{-1};
  bool liveness_busy_ = false;  // the loop waits for its fence to commit

  uint64_t next_request_ = 1;
  std::map<uint64_t, ReplyFn> waiting_;  // requests not answered yet
};

}  // namespace runnel::controller_sim
