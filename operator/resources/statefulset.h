#pragma once
// StatefulSet <name>: the brokers.
//
// updateStrategy is OnDelete because the operator rolls pods itself, one at a time and only when
// every broker is ready (see operator/controllers/cluster_roll.h); the StatefulSet controller would
// otherwise restart pods on its own schedule. podManagementPolicy is Parallel: brokers do not need
// to start in order, and a stuck broker must not block the others from starting.

#include <string>

#include "operator/resources/names.h"

namespace runnel::resources {

// The pod template (metadata + spec) with spec.template.pod overrides merged in and the config
// hash annotation set. Selector labels and the hash cannot be overridden.
Json build_pod_template(const api::RunnelCluster& c, const std::string& config_hash);
Json build_statefulset(const api::RunnelCluster& c, const std::string& config_hash);

}  // namespace runnel::resources
