#pragma once
// What the cluster controller needs to know about one broker pod, read once from the pod JSON so
// the roll and status logic are plain functions over plain structs.

#include <optional>
#include <string>
#include <vector>

#include "operator/api/runnel_cluster.h"
#include "operator/api/time.h"
#include "operator/kube/api.h"

namespace runnel::controllers {

struct BrokerPod {
  std::string name;
  std::string uid;
  int ordinal = -1;  // from apps.kubernetes.io/pod-index, else the name's suffix
  bool ready = false;
  bool deleting = false;
  std::string ip;
  std::string config_hash;  // runnel.dev/config-hash annotation
  std::string revision;     // controller-revision-hash label
  // A container stuck waiting for a reason that will not fix itself (CrashLoopBackOff,
  // ImagePullBackOff, ...), empty otherwise.
  std::string failing_reason;
  // Since when the pod has not been Ready (Ready condition's lastTransitionTime, or creation).
  std::optional<api::Clock::time_point> not_ready_since;
};

BrokerPod broker_pod(const kube::Json& pod);

// The cluster's broker pods from `pods` (matched by the selector labels), sorted by ordinal.
std::vector<BrokerPod> cluster_pods(const kube::Store& pods, const api::RunnelCluster& c);

}  // namespace runnel::controllers
