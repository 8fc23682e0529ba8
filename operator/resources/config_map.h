#pragma once
// ConfigMap <name>-config holding server.properties, mounted at /etc/runnel in every broker.

#include "operator/resources/names.h"

namespace runnel::resources {

// `properties` is render_server_properties(c); passed in so the caller hashes the same bytes.
Json build_config_map(const api::RunnelCluster& c, const std::string& properties);

}  // namespace runnel::resources
