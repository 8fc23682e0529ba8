#include "operator/controllers/cluster_status.h"

#include "operator/resources/names.h"

namespace runnel::controllers {
namespace {

using api::make_condition;

std::string count_of(int n, int of) { return std::to_string(n) + "/" + std::to_string(of); }

// A broker that needs a person: the first failing or long-unready wanted pod.
std::optional<std::pair<ClusterReason, std::string>> failing_broker(const api::RunnelCluster& c,
                                                                   const std::vector<BrokerPod>& pods,
                                                                   const StatusInput& in) {
  for (const auto& p : pods) {
    if (p.ordinal >= c.spec.replicas) continue;
    if (!p.failing_reason.empty()) {
      return std::pair{ClusterReason::kBrokerFailing, "pod " + p.name + ": " + p.failing_reason};
    }
    if (!p.ready && !p.deleting && p.not_ready_since &&
        in.now - *p.not_ready_since > in.not_ready_degraded_after) {
      auto minutes = std::chrono::duration_cast<std::chrono::minutes>(in.now - *p.not_ready_since);
      return std::pair{ClusterReason::kBrokerNotReady,
                       "pod " + p.name + " has not been ready for " + std::to_string(minutes.count()) +
                           " minutes"};
    }
  }
  return std::nullopt;
}

}  // namespace

api::RunnelClusterStatus compute_status(const api::RunnelCluster& c,
                                        const std::vector<BrokerPod>& pods, const StatusInput& in) {
  api::RunnelClusterStatus s;
  s.conditions = c.status.conditions;
  const int64_t gen = c.metadata.generation;
  const int wanted = c.spec.replicas;
  s.observed_generation = gen;
  s.selector = resources::selector_string(c);
  s.bootstrap = resources::bootstrap_address(c);
  s.config_hash = in.config_hash;
  s.replicas = static_cast<int32_t>(pods.size());

  int ready_wanted = 0;
  for (const auto& p : pods) {
    std::string address = p.ip.empty() ? "" : p.ip + ":" + std::to_string(resources::kKafkaPort);
    s.brokers.push_back({p.ordinal, p.name, p.ready, address});
    if (p.ready) ++s.ready_brokers;
    if (p.ready && !p.deleting && p.ordinal >= 0 && p.ordinal < wanted) ++ready_wanted;
  }

  const int stale = static_cast<int>(in.roll.stale.size());
  const bool scaling = static_cast<int>(pods.size()) != wanted;
  const bool all_ready = ready_wanted == wanted && !scaling;
  // A roll ends when no pod is stale and the last restarted broker is Ready again.
  const bool rolling = stale > 0 || (c.status.rolling_restart.in_progress && !all_ready);
  s.rolling_restart.in_progress = rolling;
  s.rolling_restart.pending = stale;
  s.rolling_restart.total = rolling ? wanted : 0;
  if (rolling) {
    s.rolling_restart.current_pod = in.roll.action == RollPlan::Action::restart
                                        ? in.roll.pod
                                        : c.status.rolling_restart.current_pod;
  }
  // The StatefulSet controller has not yet observed the latest template: whether pods are current
  // is unknown until it has.
  const bool updating = stale == 0 && in.roll.action == RollPlan::Action::wait;
  const bool ready = all_ready && stale == 0 && !updating && !in.children_error;
  const std::string ready_msg = count_of(ready_wanted, wanted) + " brokers ready";
  const std::string now = api::format_time(in.now);

  auto set = [&](api::ConditionType type, bool status, ClusterReason reason, std::string message) {
    api::set_condition(s.conditions, make_condition(type, status, to_string(reason), std::move(message), gen),
                       now);
  };
  const std::optional<ChildrenError>& error = in.children_error;

  if (ready) {
    set(api::kReady, true, ClusterReason::kAllBrokersReady, ready_msg);
  } else {
    ClusterReason reason = error       ? error->reason
                           : stale > 0 ? ClusterReason::kRollingRestart
                           : updating  ? ClusterReason::kUpdating
                                       : ClusterReason::kBrokersNotReady;
    set(api::kReady, false, reason, ready_msg);
  }

  if (stale > 0) {
    std::string msg = "restarting brokers one at a time: " + std::to_string(stale) + " of " +
                      std::to_string(wanted) + " still to restart";
    if (in.roll.action == RollPlan::Action::wait) msg += " (" + in.roll.reason + ")";
    set(api::kProgressing, true, ClusterReason::kRollingRestart, msg);
  } else if (updating) {
    set(api::kProgressing, true, ClusterReason::kUpdating, in.roll.reason);
  } else if (scaling) {
    set(api::kProgressing, true, ClusterReason::kScaling,
        "scaling to " + std::to_string(wanted) + " brokers, " + std::to_string(pods.size()) + " pods exist");
  } else if (!all_ready) {
    set(api::kProgressing, true, ClusterReason::kBrokersStarting, ready_msg);
  } else {
    set(api::kProgressing, false, ClusterReason::kStable, "no changes in progress");
  }

  if (error) {
    set(api::kDegraded, true, error->reason, error->message);
  } else if (auto failing = failing_broker(c, pods, in)) {
    set(api::kDegraded, true, failing->first, failing->second);
  } else {
    set(api::kDegraded, false, ClusterReason::kAsExpected, "no broker is failing");
  }
  return s;
}

}  // namespace runnel::controllers
