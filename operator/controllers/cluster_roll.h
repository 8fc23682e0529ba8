#pragma once
// Rolling restarts: which broker pod, if any, to delete now so that it comes back with the current
// configuration and pod template.
//
// The StatefulSet uses updateStrategy OnDelete, so a changed template only reaches a pod when the
// operator deletes it. A pod is stale when its runnel.dev/config-hash annotation differs from the
// desired hash, or its controller-revision-hash differs from the StatefulSet's updateRevision
// (image or other template changes). At most one pod is restarted at a time, and only while every
// broker is Ready and the RollGate agrees; the highest ordinal goes first, as the StatefulSet
// controller's own RollingUpdate would.

#include <optional>
#include <string>
#include <vector>

#include "operator/controllers/cluster_pods.h"

namespace runnel::controllers {

// Decides whether taking one more broker down is safe right now. Today the only implementation
// checks pod readiness; "no under-replicated partitions" (Strimzi's rule: never go below
// min.insync.replicas) is the next one, once the brokers replicate.
class RollGate {
 public:
  virtual ~RollGate() = default;
  // nullopt when restarting a broker is safe; otherwise why not, for status and logs.
  virtual std::optional<std::string> blocked(const api::RunnelCluster& c,
                                             const std::vector<BrokerPod>& pods) const = 0;
};

class AllBrokersReadyGate final : public RollGate {
 public:
  std::optional<std::string> blocked(const api::RunnelCluster& c,
                                     const std::vector<BrokerPod>& pods) const override;
};

struct RollPlan {
  enum class Action { none, wait, restart };
  Action action = Action::none;
  std::vector<std::string> stale;  // names of pods on an old config or revision
  std::string pod;                 // the pod to delete when action == restart
  std::string reason;              // why we wait, when action == wait
};

struct RollInput {
  std::string desired_hash;
  // The StatefulSet's status.updateRevision; empty when unknown (then only hashes are compared).
  std::string update_revision;
  // False while the StatefulSet controller has not yet observed the latest spec: its
  // updateRevision is then stale, so no pod may be judged by it.
  bool statefulset_current = true;
  // uid of the pod this controller deleted last, if the store may not have caught up yet.
  std::string last_deleted_uid;
};

bool pod_is_stale(const BrokerPod& p, const RollInput& in);

// Pods with an ordinal >= spec.replicas are being scaled away and are ignored.
RollPlan plan_roll(const api::RunnelCluster& c, const std::vector<BrokerPod>& pods,
                   const RollInput& in, const RollGate& gate);

}  // namespace runnel::controllers
