#include "operator/resources/names.h"

namespace runnel::resources {

std::string bootstrap_address(const api::RunnelCluster& c) {
  return bootstrap_service_name(c.metadata.name) + "." + c.metadata.ns + ".svc:" +
         std::to_string(kKafkaPort);
}

Json selector_labels(const api::RunnelCluster& c) {
  return {{kNameLabel, kAppName}, {kInstanceLabel, c.metadata.name}, {kComponentLabel, kComponentBroker}};
}

std::string selector_string(const api::RunnelCluster& c) {
  std::string out;
  // nlohmann::json objects iterate in key order, so the string is stable.
  const Json labels = selector_labels(c);
  for (const auto& [k, v] : labels.items()) {
    if (!out.empty()) out += ',';
    out += k + "=" + v.get<std::string>();
  }
  return out;
}

Json instance_labels(const api::RunnelCluster& c) {
  Json labels = selector_labels(c);
  labels[kManagedByLabel] = kManagedBy;
  return labels;
}

Json owner_reference(const api::RunnelCluster& c) {
  return {{"apiVersion", api::kApiVersion},
          {"kind", api::kClusterKind},
          {"name", c.metadata.name},
          {"uid", c.metadata.uid},
          {"controller", true},
          {"blockOwnerDeletion", true}};
}

Json child_object(const char* api_version, const char* kind, const std::string& name,
                  const api::RunnelCluster& c) {
  return {{"apiVersion", api_version},
          {"kind", kind},
          {"metadata",
           {{"name", name},
            {"namespace", c.metadata.ns},
            {"labels", instance_labels(c)},
            {"ownerReferences", Json::array({owner_reference(c)})}}}};
}

}  // namespace runnel::resources
