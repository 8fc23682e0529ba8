#include "operator/resources/pdb.h"

namespace runnel::resources {

Json build_pdb(const api::RunnelCluster& c) {
  Json pdb = child_object("policy/v1", "PodDisruptionBudget", pdb_name(c.metadata.name), c);
  pdb["spec"] = {{"maxUnavailable", 1}, {"selector", {{"matchLabels", selector_labels(c)}}}};
  return pdb;
}

}  // namespace runnel::resources
