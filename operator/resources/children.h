#pragma once
// Everything a RunnelCluster owns, in the order the controller applies it: the ConfigMap before the
// StatefulSet whose pods mount it, the headless Service before the StatefulSet that names it.

#include <string>
#include <vector>

#include "operator/kube/api.h"
#include "operator/resources/names.h"

namespace runnel::resources {

struct Child {
  kube::ResourceType type;
  Json object;
};

struct DesiredChildren {
  std::string properties;   // server.properties as rendered into the ConfigMap
  std::string config_hash;  // config_hash(properties), also on the pod template
  std::vector<Child> objects;
};

DesiredChildren build_children(const api::RunnelCluster& c);

}  // namespace runnel::resources
