#pragma once
// PodDisruptionBudget <name>: voluntary disruptions (node drains) take at most one broker at a
// time, the same rule the operator's own rolling restart follows.

#include "operator/resources/names.h"

namespace runnel::resources {

Json build_pdb(const api::RunnelCluster& c);

}  // namespace runnel::resources
