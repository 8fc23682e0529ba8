#pragma once
// RunnelCluster status from what the controller observed, as a pure function.
//
// Conditions:
//   Ready        every wanted broker exists, is Ready and runs the current config and template.
//   Progressing  a rolling restart, a scale, or brokers still starting.
//   Degraded     spec.config is invalid (InvalidConfig), applying a child failed, or a broker is failing (CrashLoopBackOff, image pull
//                errors) or has not been Ready for longer than `not_ready_degraded_after`.

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "operator/controllers/cluster_pods.h"
#include "operator/controllers/cluster_roll.h"

namespace runnel::controllers {

struct StatusInput {
  std::string config_hash;
  RollPlan roll;
  std::optional<std::string> apply_error;  // "<Kind> <name>: <message>" of the failed apply
  std::string apply_error_reason = "ApplyFailed";  // or InvalidConfig
  api::Clock::time_point now;
  std::chrono::seconds not_ready_degraded_after{300};
};

// Starts from c.status so unchanged conditions keep their lastTransitionTime.
api::RunnelClusterStatus compute_status(const api::RunnelCluster& c,
                                        const std::vector<BrokerPod>& pods, const StatusInput& in);

}  // namespace runnel::controllers
