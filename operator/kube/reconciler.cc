// The default secondary-to-primary mapping and the step fold declared in reconciler.h.
#include "operator/kube/reconciler.h"

namespace runnel::kube {

std::vector<ObjectKey> Reconciler::map_secondary(const ResourceType& /*type*/,
                                                 const Json& obj) const {
  // Owner references are namespace-local: an owner always lives in its dependent's namespace.
  std::vector<ObjectKey> keys;
  if (!obj.is_object() || !obj.contains("metadata")) return keys;
  const Json& meta = obj["metadata"];
  if (!meta.contains("ownerReferences") || !meta["ownerReferences"].is_array()) return keys;
  const ResourceType& p = primary();
  for (const Json& ref : meta["ownerReferences"]) {
    if (!ref.is_object() || !ref.value("controller", false)) continue;
    if (ref.value("kind", "") != p.kind) continue;
    // apiVersion's group must match too (a Deployment in another group could share a kind name);
    // the version may differ across a CRD version upgrade.
    std::string api_version = ref.value("apiVersion", "");
    std::string group = api_version.find('/') == std::string::npos
                            ? ""
                            : api_version.substr(0, api_version.find('/'));
    if (group != p.group) continue;
    keys.push_back({p.namespaced ? meta.value("namespace", "") : "", ref.value("name", "")});
  }
  return keys;
}

ReconcileResult fold(ReconcileResult earlier, ReconcileResult later) {
  if (earlier.error) return earlier;
  if (later.error) return later;
  if (earlier.requeue_after.count() == 0) return later;
  if (later.requeue_after.count() == 0) return earlier;
  return later.requeue_after < earlier.requeue_after ? later : earlier;
}

}  // namespace runnel::kube
