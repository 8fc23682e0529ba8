#pragma once
// Checks the broker configuration a RunnelCluster would produce with runnel-broker's own parser
// (broker/config), before anything is applied: an invalid spec.config must not reach the
// ConfigMap, or the rolling restart would replace a working broker with one that cannot start.

#include <string>
#include <vector>

#include "operator/api/runnel_cluster.h"

namespace runnel::resources {

struct ConfigCheck {
  std::string error;                  // empty when the broker would accept the config
  std::vector<std::string> warnings;  // e.g. unknown properties, which the broker ignores
  bool ok() const { return error.empty(); }
};

// Loads render_server_properties(c) plus the container's --override arguments (with a sample
// node id and pod IP) exactly as the broker does at start-up.
ConfigCheck check_broker_config(const api::RunnelCluster& c);

}  // namespace runnel::resources
