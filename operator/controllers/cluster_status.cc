#include "operator/controllers/cluster_status.h"

#include "operator/resources/names.h"

namespace runnel::controllers {
namespace {

using api::make_condition;

std::string count_of(int n, int of) { return std::to_string(n) + "/" + std::to_string(of); }

// A broker that needs a person: the first failing or long-unready wanted pod.
std::optional<std::pair<std::string, std::string>> failing_broker(const api::RunnelCluster& c,
                                                                   const std::vector<BrokerPod>& pods,
                                                                   const StatusInput& in) {
  for (const auto& p : pods) {
    if (p.ordinal >= c.spec.replicas) continue;
    if (!p.failing_reason.empty()) {
      return std::pair{std::string("BrokerFailing"), "pod " + p.name + ": " + p.failing_reason};
    }
    if (!p.ready && !p.deleting && p.not_ready_since &&
        in.now - *p.not_ready_since > in.not_ready_degraded_after) {
      auto minutes = std::chrono::duration_cast<std::chrono::minutes>(in.now - *p.not_ready_since);
      return std::pair{std::string("BrokerNotReady"),
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
  const bool ready = all_ready && stale == 0 && !updating && !in.apply_error;
  const std::string ready_msg = count_of(ready_wanted, wanted) + " brokers ready";
  std::string now = api::format_time(in.now);

  if (ready) {
    api::set_condition(s.conditions, make_condition(api::kReady, true, "AllBrokersReady", ready_msg, gen), now);
  } else {
    std::string reason = in.apply_error ? in.apply_error_reason
                         : stale > 0    ? "RollingRestart"
                         : updating     ? "Updating"
                                        : "BrokersNotReady";
    api::set_condition(s.conditions, make_condition(api::kReady, false, reason, ready_msg, gen), now);
  }

  if (stale > 0) {
    std::string msg = "restarting brokers one at a time: " + std::to_string(stale) + " of " +
                      std::to_string(wanted) + " still to restart";
    if (in.roll.action == RollPlan::Action::wait) msg += " (" + in.roll.reason + ")";
    api::set_condition(s.conditions, make_condition(api::kProgressing, true, "RollingRestart", msg, gen), now);
  } else if (updating) {
    api::set_condition(s.conditions,
                       make_condition(api::kProgressing, true, "Updating", in.roll.reason, gen), now);
  } else if (scaling) {
    std::string msg = "scaling to " + std::to_string(wanted) + " brokers, " +
                      std::to_string(pods.size()) + " pods exist";
    api::set_condition(s.conditions, make_condition(api::kProgressing, true, "Scaling", msg, gen), now);
  } else if (!all_ready) {
    api::set_condition(s.conditions,
                       make_condition(api::kProgressing, true, "BrokersStarting", ready_msg, gen), now);
  } else {
    api::set_condition(s.conditions,
                       make_condition(api::kProgressing, false, "Stable", "no changes in progress", gen), now);
  }

  if (in.apply_error) {
    api::set_condition(s.conditions, make_condition(api::kDegraded, true, in.apply_error_reason, *in.apply_error, gen), now);
  } else if (auto failing = failing_broker(c, pods, in)) {
    api::set_condition(s.conditions,
                       make_condition(api::kDegraded, true, failing->first, failing->second, gen), now);
  } else {
    api::set_condition(s.conditions,
                       make_condition(api::kDegraded, false, "AsExpected", "no broker is failing", gen), now);
  }
  return s;
}

}  // namespace runnel::controllers
