#pragma once
// RunnelCluster status from what the controller observed, as a pure function.
//
// Conditions:
//   Ready        every wanted broker exists, is Ready and runs the current config and template.
//   Progressing  a rolling restart, a scale, or brokers still starting.
//   Degraded     spec.config is invalid (InvalidConfig), applying a child failed (ApplyFailed), or
//                a broker is failing (CrashLoopBackOff, image pull errors) or has not been Ready
//                for longer than `not_ready_degraded_after`.

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "operator/controllers/cluster_pods.h"
#include "operator/controllers/cluster_roll.h"
#include "operator/controllers/reasons.h"

namespace runnel::controllers {

// Why the children step did not apply the desired children.
struct ChildrenError {
  ClusterReason reason = ClusterReason::kApplyFailed;  // or kInvalidConfig
  std::string message;  // "apply <Kind> <name>: <why>", or what is wrong with spec.config
};

struct StatusInput {
  std::string config_hash;
  RollPlan roll;
  std::optional<ChildrenError> children_error;
  api::Clock::time_point now;
  std::chrono::seconds not_ready_degraded_after{300};
};

// Starts from c.status so unchanged conditions keep their lastTransitionTime.
api::RunnelClusterStatus compute_status(const api::RunnelCluster& c,
                                        const std::vector<BrokerPod>& pods, const StatusInput& in);

}  // namespace runnel::controllers
