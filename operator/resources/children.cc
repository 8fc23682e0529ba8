#include "operator/resources/children.h"

#include "operator/resources/config_map.h"
#include "operator/resources/pdb.h"
#include "operator/resources/server_properties.h"
#include "operator/resources/services.h"
#include "operator/resources/statefulset.h"

namespace runnel::resources {

DesiredChildren build_children(const api::RunnelCluster& c) {
  DesiredChildren d;
  d.properties = render_server_properties(c);
  d.config_hash = config_hash(d.properties);
  d.objects = {
      {kube::types::kConfigMap, build_config_map(c, d.properties)},
      {kube::types::kService, build_headless_service(c)},
      {kube::types::kService, build_bootstrap_service(c)},
      {kube::types::kStatefulSet, build_statefulset(c, d.config_hash)},
      {kube::types::kPodDisruptionBudget, build_pdb(c)},
  };
  return d;
}

}  // namespace runnel::resources
