#include "operator/resources/config_map.h"

namespace runnel::resources {

Json build_config_map(const api::RunnelCluster& c, const std::string& properties) {
  Json cm = child_object("v1", "ConfigMap", config_map_name(c.metadata.name), c);
  cm["data"] = {{kConfigFile, properties}};
  return cm;
}

}  // namespace runnel::resources
