#pragma once

#include "operator/api/runnel_cluster.h"

namespace runnel::resources::testing {

inline api::RunnelCluster cluster(int replicas = 3) {
  api::RunnelCluster c;
  c.metadata.name = "demo";
  c.metadata.ns = "kafka";
  c.metadata.uid = "uid-123";
  c.metadata.generation = 1;
  c.spec.replicas = replicas;
  c.spec.image = "runnel:dev";
  return c;
}

}  // namespace runnel::resources::testing
