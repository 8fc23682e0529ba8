#pragma once
// The `broker` container of the StatefulSet's pod template.
//
// Per-pod identity comes from the downward API rather than from per-pod objects: node.id is the
// pod's ordinal (label apps.kubernetes.io/pod-index, Kubernetes 1.28+) and the advertised address
// is the pod IP, both passed as --override arguments that Kubernetes expands from $(VAR) env vars.
// The Kafka and admin listeners bind every interface (not just the pod IP) so that kubectl
// port-forward, which connects over the pod's loopback, works too.

#include <string>

#include "operator/resources/names.h"

namespace runnel::resources {

// runnel-broker's arguments, in order.
Json broker_args();
Json build_broker_container(const api::RunnelCluster& c);

}  // namespace runnel::resources
