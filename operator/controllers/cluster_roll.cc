#include "operator/controllers/cluster_roll.h"

#include <algorithm>

namespace runnel::controllers {
namespace {

std::vector<BrokerPod> wanted_pods(const api::RunnelCluster& c, const std::vector<BrokerPod>& pods) {
  std::vector<BrokerPod> out;
  std::copy_if(pods.begin(), pods.end(), std::back_inserter(out),
               [&](const BrokerPod& p) { return p.ordinal >= 0 && p.ordinal < c.spec.replicas; });
  return out;
}

RollPlan wait(RollPlan plan, std::string reason) {
  plan.action = RollPlan::Action::wait;
  plan.reason = std::move(reason);
  return plan;
}

}  // namespace

std::optional<std::string> AllBrokersReadyGate::blocked(const api::RunnelCluster& c,
                                                        const std::vector<BrokerPod>& pods) const {
  std::vector<BrokerPod> wanted = wanted_pods(c, pods);
  if (static_cast<int>(wanted.size()) < c.spec.replicas) {
    return std::to_string(wanted.size()) + " of " + std::to_string(c.spec.replicas) +
           " broker pods exist";
  }
  for (const auto& p : wanted) {
    if (!p.ready || p.deleting) return "broker pod " + p.name + " is not ready";
  }
  return std::nullopt;
}

bool pod_is_stale(const BrokerPod& p, const RollInput& in) {
  if (p.config_hash != in.desired_hash) return true;
  return in.statefulset_current && !in.update_revision.empty() && p.revision != in.update_revision;
}

RollPlan plan_roll(const api::RunnelCluster& c, const std::vector<BrokerPod>& pods,
                   const RollInput& in, const RollGate& gate) {
  RollPlan plan;
  std::vector<BrokerPod> wanted = wanted_pods(c, pods);
  const BrokerPod* victim = nullptr;
  for (const auto& p : wanted) {
    if (!pod_is_stale(p, in)) continue;
    plan.stale.push_back(p.name);
    if (!p.deleting && (victim == nullptr || p.ordinal > victim->ordinal)) victim = &p;
  }
  if (!in.statefulset_current) {
    return wait(std::move(plan), "waiting for the StatefulSet controller to observe the new spec");
  }
  if (plan.stale.empty()) return plan;
  for (const auto& p : wanted) {
    if (!in.last_deleted_uid.empty() && p.uid == in.last_deleted_uid) {
      return wait(std::move(plan), "waiting for pod " + p.name + " to be replaced");
    }
    if (p.deleting) return wait(std::move(plan), "waiting for pod " + p.name + " to terminate");
  }
  if (auto why = gate.blocked(c, pods)) return wait(std::move(plan), *why);
  if (victim == nullptr) return wait(std::move(plan), "no stale pod can be restarted yet");
  plan.action = RollPlan::Action::restart;
  plan.pod = victim->name;
  return plan;
}

}  // namespace runnel::controllers
