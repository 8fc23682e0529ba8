#include "operator/api/runnel_cluster.h"

namespace runnel::api {
namespace {

Json non_null(const Json& j, const char* key) {
  auto it = j.find(key);
  return it == j.end() ? Json() : *it;
}

PodOverrides pod_from_json(const Json& tmpl) {
  PodOverrides p;
  Json pod = tmpl.is_object() ? non_null(tmpl, "pod") : Json();
  if (!pod.is_object()) return p;
  p.annotations = string_map_from_json(non_null(pod, "annotations"));
  p.labels = string_map_from_json(non_null(pod, "labels"));
  p.node_selector = string_map_from_json(non_null(pod, "nodeSelector"));
  p.tolerations = non_null(pod, "tolerations");
  p.affinity = non_null(pod, "affinity");
  p.priority_class_name = pod.value("priorityClassName", "");
  return p;
}

RunnelClusterSpec spec_from_json(const Json& s) {
  RunnelClusterSpec spec;
  if (!s.is_object()) return spec;
  spec.replicas = s.value("replicas", kDefaultReplicas);
  spec.image = s.value("image", std::string(kDefaultImage));
  spec.image_pull_policy = s.value("imagePullPolicy", "");
  if (Json st = non_null(s, "storage"); st.is_object()) {
    spec.storage.size = st.value("size", spec.storage.size);
    if (auto c = st.find("storageClassName"); c != st.end() && c->is_string()) {
      spec.storage.storage_class_name = c->get<std::string>();
    }
  }
  spec.resources = non_null(s, "resources");
  spec.config = string_map_from_json(non_null(s, "config"));
  spec.pod = pod_from_json(non_null(s, "template"));
  spec.termination_grace_period_seconds =
      s.value("terminationGracePeriodSeconds", kDefaultTerminationGracePeriodSeconds);
  return spec;
}

Json pod_to_json(const PodOverrides& p) {
  Json pod = Json::object();
  if (!p.annotations.empty()) pod["annotations"] = to_json(p.annotations);
  if (!p.labels.empty()) pod["labels"] = to_json(p.labels);
  if (!p.node_selector.empty()) pod["nodeSelector"] = to_json(p.node_selector);
  if (!p.tolerations.is_null()) pod["tolerations"] = p.tolerations;
  if (!p.affinity.is_null()) pod["affinity"] = p.affinity;
  if (!p.priority_class_name.empty()) pod["priorityClassName"] = p.priority_class_name;
  return pod;
}

}  // namespace

Json to_json(const RunnelClusterSpec& spec) {
  Json j = {{"replicas", spec.replicas},
            {"image", spec.image},
            {"storage", {{"size", spec.storage.size}}},
            {"config", to_json(spec.config)},
            {"terminationGracePeriodSeconds", spec.termination_grace_period_seconds}};
  if (!spec.image_pull_policy.empty()) j["imagePullPolicy"] = spec.image_pull_policy;
  if (spec.storage.storage_class_name) {
    j["storage"]["storageClassName"] = *spec.storage.storage_class_name;
  }
  if (!spec.resources.is_null()) j["resources"] = spec.resources;
  if (Json pod = pod_to_json(spec.pod); !pod.empty()) j["template"] = {{"pod", pod}};
  return j;
}

Json to_json(const RunnelClusterStatus& s) {
  Json brokers = Json::array();
  for (const auto& b : s.brokers) {
    brokers.push_back({{"id", b.id}, {"pod", b.pod}, {"ready", b.ready}, {"address", b.address}});
  }
  Json roll = {{"inProgress", s.rolling_restart.in_progress},
               {"pending", s.rolling_restart.pending},
               {"total", s.rolling_restart.total}};
  if (!s.rolling_restart.current_pod.empty()) roll["currentPod"] = s.rolling_restart.current_pod;
  return {{"conditions", conditions_to_json(s.conditions)},
          {"observedGeneration", s.observed_generation},
          {"replicas", s.replicas},
          {"readyBrokers", s.ready_brokers},
          {"selector", s.selector},
          {"brokers", brokers},
          {"bootstrap", s.bootstrap},
          {"configHash", s.config_hash},
          {"rollingRestart", roll}};
}

RunnelClusterStatus cluster_status_from_json(const Json& j) {
  RunnelClusterStatus s;
  if (!j.is_object()) return s;
  s.conditions = conditions_from_json(non_null(j, "conditions"));
  s.observed_generation = j.value("observedGeneration", int64_t{0});
  s.replicas = j.value("replicas", 0);
  s.ready_brokers = j.value("readyBrokers", 0);
  s.selector = j.value("selector", "");
  if (Json brokers = non_null(j, "brokers"); brokers.is_array()) {
    for (const auto& b : brokers) {
      s.brokers.push_back({b.value("id", -1), b.value("pod", ""), b.value("ready", false),
                           b.value("address", "")});
    }
  }
  s.bootstrap = j.value("bootstrap", "");
  s.config_hash = j.value("configHash", "");
  if (Json r = non_null(j, "rollingRestart"); r.is_object()) {
    s.rolling_restart = {r.value("inProgress", false), r.value("pending", 0), r.value("total", 0),
                         r.value("currentPod", "")};
  }
  return s;
}

Parsed<RunnelCluster> parse_cluster(const Json& object) {
  if (!object.is_object()) return Unexpected("RunnelCluster is not an object");
  try {
    RunnelCluster c;
    c.metadata = meta_from_json(non_null(object, "metadata"));
    c.spec = spec_from_json(non_null(object, "spec"));
    c.status = cluster_status_from_json(non_null(object, "status"));
    if (c.spec.replicas < 1) {
      return Unexpected("spec.replicas must be at least 1");
    }
    return c;
  } catch (const Json::exception& e) {
    return Unexpected(std::string("malformed RunnelCluster: ") + e.what());
  }
}

Json to_json(const RunnelCluster& c) {
  return {{"apiVersion", kApiVersion},
          {"kind", kClusterKind},
          {"metadata", to_json(c.metadata)},
          {"spec", to_json(c.spec)},
          {"status", to_json(c.status)}};
}

}  // namespace runnel::api
