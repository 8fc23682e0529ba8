#pragma once
// The two Services of a cluster.
//
// <name>-brokers is headless and publishes not-ready addresses: it gives each pod a stable DNS
// name (<pod>.<name>-brokers.<ns>.svc) from the moment it starts, which the StatefulSet requires
// as its serviceName. <name>-bootstrap is a normal ClusterIP Service over ready brokers only: the
// address clients use for bootstrap.servers.

#include "operator/resources/names.h"

namespace runnel::resources {

Json build_headless_service(const api::RunnelCluster& c);
Json build_bootstrap_service(const api::RunnelCluster& c);

}  // namespace runnel::resources
