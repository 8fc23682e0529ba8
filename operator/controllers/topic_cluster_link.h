#pragma once
// How the topic controller reaches the brokers of a RunnelCluster: which addresses to dial (from
// the cluster's status), and the default factory that connects the real admin client.

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "operator/admin/admin_client.h"
#include "operator/kube/api.h"

namespace runnel::controllers {

using AdminClientPtr = std::unique_ptr<operator_admin::AdminClient>;
// Connects an admin client to the cluster object (a RunnelCluster as JSON). An error Outcome
// (usually a transport error) becomes Ready=False/BrokerUnreachable on the topics.
using AdminFactory = std::function<operator_admin::Outcome<AdminClientPtr>(const kube::Json& cluster)>;

// The addresses to bootstrap from, best first: ready brokers' status.brokers[].address, then
// not-ready ones that have an address, then status.bootstrap (the Service name only resolves
// inside the cluster's DNS, so pod IPs are preferred: the operator may run elsewhere, e.g. tests).
std::vector<std::string> bootstrap_addresses(const kube::Json& cluster);

// The production factory: `operator_admin::connect(bootstrap_addresses(cluster), timeout)`.
AdminFactory make_admin_factory(std::chrono::milliseconds timeout);

}  // namespace runnel::controllers
