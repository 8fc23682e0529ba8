#include "operator/resources/statefulset.h"

#include "operator/resources/broker_container.h"

namespace runnel::resources {
namespace {

constexpr int kRunAsId = 10001;

// Spread brokers over nodes when possible, without making scheduling fail when it is not.
Json default_affinity(const api::RunnelCluster& c) {
  return {{"podAntiAffinity",
           {{"preferredDuringSchedulingIgnoredDuringExecution",
             Json::array({{{"weight", 100},
                           {"podAffinityTerm",
                            {{"topologyKey", "kubernetes.io/hostname"},
                             {"labelSelector", {{"matchLabels", selector_labels(c)}}}}}}})}}}};
}

Json pod_metadata(const api::RunnelCluster& c, const std::string& config_hash) {
  const api::PodOverrides& o = c.spec.pod;
  Json labels = api::to_json(o.labels);
  const Json fixed = instance_labels(c);
  for (const auto& [k, v] : fixed.items()) labels[k] = v;
  Json annotations = api::to_json(o.annotations);
  annotations[kConfigHashAnnotation] = config_hash;
  return {{"labels", labels}, {"annotations", annotations}};
}

Json data_claim_template(const api::RunnelCluster& c) {
  Json spec = {{"accessModes", Json::array({"ReadWriteOnce"})},
               {"resources", {{"requests", {{"storage", c.spec.storage.size}}}}}};
  if (c.spec.storage.storage_class_name) spec["storageClassName"] = *c.spec.storage.storage_class_name;
  return {{"metadata", {{"name", "data"}, {"labels", selector_labels(c)}}}, {"spec", spec}};
}

}  // namespace

Json build_pod_template(const api::RunnelCluster& c, const std::string& config_hash) {
  const api::PodOverrides& o = c.spec.pod;
  Json spec = {
      {"containers", Json::array({build_broker_container(c)})},
      {"volumes", Json::array({{{"name", "config"},
                                {"configMap", {{"name", config_map_name(c.metadata.name)}}}}})},
      {"terminationGracePeriodSeconds", c.spec.termination_grace_period_seconds},
      {"securityContext",
       {{"runAsNonRoot", true},
        {"runAsUser", kRunAsId},
        {"runAsGroup", kRunAsId},
        {"fsGroup", kRunAsId},
        {"seccompProfile", {{"type", "RuntimeDefault"}}}}},
      // Service links would put <SVC>_PORT variables of every Service in the namespace into the
      // broker's environment; nothing reads them.
      {"enableServiceLinks", false},
      {"affinity", o.affinity.is_object() ? o.affinity : default_affinity(c)},
  };
  if (!o.node_selector.empty()) spec["nodeSelector"] = api::to_json(o.node_selector);
  if (o.tolerations.is_array()) spec["tolerations"] = o.tolerations;
  if (!o.priority_class_name.empty()) spec["priorityClassName"] = o.priority_class_name;
  return {{"metadata", pod_metadata(c, config_hash)}, {"spec", spec}};
}

Json build_statefulset(const api::RunnelCluster& c, const std::string& config_hash) {
  Json sts = child_object("apps/v1", "StatefulSet", statefulset_name(c.metadata.name), c);
  sts["spec"] = {{"replicas", c.spec.replicas},
                 {"serviceName", headless_service_name(c.metadata.name)},
                 {"podManagementPolicy", "Parallel"},
                 {"updateStrategy", {{"type", "OnDelete"}}},
                 {"selector", {{"matchLabels", selector_labels(c)}}},
                 {"template", build_pod_template(c, config_hash)},
                 {"volumeClaimTemplates", Json::array({data_claim_template(c)})}};
  return sts;
}

}  // namespace runnel::resources
