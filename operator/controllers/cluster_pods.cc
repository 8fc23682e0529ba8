#include "operator/controllers/cluster_pods.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <string_view>

#include "operator/resources/names.h"

namespace runnel::controllers {
namespace {

std::optional<int> to_int(std::string_view s) {
  int v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || s.empty()) return std::nullopt;
  return v;
}

std::string string_at(const kube::Json& j, const kube::Json::json_pointer& ptr) {
  if (!j.contains(ptr)) return {};
  const kube::Json& v = j.at(ptr);
  return v.is_string() ? v.get<std::string>() : std::string();
}

// metadata.<map>[key]; keys like "runnel.dev/config-hash" contain '/', so no JSON pointer.
std::string map_value(const kube::Json& obj, const char* map, const char* key) {
  auto meta = obj.find("metadata");
  if (meta == obj.end() || !meta->is_object()) return {};
  auto m = meta->find(map);
  if (m == meta->end() || !m->is_object()) return {};
  auto v = m->find(key);
  return v != m->end() && v->is_string() ? v->get<std::string>() : std::string();
}

std::string failing_reason(const kube::Json& status) {
  static constexpr std::array<std::string_view, 6> kStuck = {
      "CrashLoopBackOff",  "ImagePullBackOff", "ErrImagePull",
      "InvalidImageName",  "CreateContainerConfigError", "CreateContainerError"};
  for (const char* key : {"initContainerStatuses", "containerStatuses"}) {
    auto list = status.find(key);
    if (list == status.end() || !list->is_array()) continue;
    for (const auto& cs : *list) {
      std::string reason = string_at(cs, kube::Json::json_pointer("/state/waiting/reason"));
      if (std::find(kStuck.begin(), kStuck.end(), reason) != kStuck.end()) return reason;
    }
  }
  return {};
}

}  // namespace

BrokerPod broker_pod(const kube::Json& pod) {
  using JP = kube::Json::json_pointer;
  BrokerPod p;
  p.name = string_at(pod, JP("/metadata/name"));
  p.uid = string_at(pod, JP("/metadata/uid"));
  p.deleting = !string_at(pod, JP("/metadata/deletionTimestamp")).empty();
  p.config_hash = map_value(pod, "annotations", resources::kConfigHashAnnotation);
  p.revision = map_value(pod, "labels", resources::kRevisionLabel);
  std::string index = map_value(pod, "labels", resources::kPodIndexLabel);
  if (auto v = to_int(index)) {
    p.ordinal = *v;
  } else if (auto dash = p.name.rfind('-'); dash != std::string::npos) {
    p.ordinal = to_int(std::string_view(p.name).substr(dash + 1)).value_or(-1);
  }
  const kube::Json status = pod.value("status", kube::Json::object());
  p.ip = status.value("podIP", "");
  p.failing_reason = failing_reason(status);
  std::string ready_since;
  if (auto conds = status.find("conditions"); conds != status.end() && conds->is_array()) {
    // PodCondition has the fields of metav1.Condition that matter here.
    for (const api::Condition& c : api::conditions_from_json(*conds)) {
      if (!c.is(api::kReady)) continue;
      p.ready = c.is_true();
      ready_since = c.last_transition_time;
    }
  }
  if (!p.ready) {
    std::string since = ready_since.empty() ? string_at(pod, JP("/metadata/creationTimestamp")) : ready_since;
    p.not_ready_since = api::parse_time(since);
  }
  return p;
}

std::vector<BrokerPod> cluster_pods(const kube::Store& pods, const api::RunnelCluster& c) {
  const kube::Json selector = resources::selector_labels(c);
  std::vector<BrokerPod> out;
  for (const auto& pod : pods.list(c.metadata.ns)) {
    const kube::Json labels = pod.contains("metadata") ? pod["metadata"].value("labels", kube::Json::object())
                                                       : kube::Json::object();
    bool match = true;
    for (const auto& [key, value] : selector.items()) {
      auto it = labels.find(key);
      match = match && it != labels.end() && *it == value;
    }
    if (match) out.push_back(broker_pod(pod));
  }
  std::sort(out.begin(), out.end(), [](const BrokerPod& a, const BrokerPod& b) {
    return a.ordinal != b.ordinal ? a.ordinal < b.ordinal : a.name < b.name;
  });
  return out;
}

}  // namespace runnel::controllers
