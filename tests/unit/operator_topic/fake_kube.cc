#include "tests/unit/operator_topic/fake_kube.h"

namespace runnel::controllers::testing {

void MapStore::put(Json obj) {
  const Json& m = obj["metadata"];
  objects_[{m.value("namespace", ""), m.value("name", "")}] = std::move(obj);
}

Json* MapStore::find(const std::string& ns, const std::string& name) {
  auto it = objects_.find({ns, name});
  return it == objects_.end() ? nullptr : &it->second;
}

std::optional<Json> MapStore::get(std::string_view ns, std::string_view name) const {
  auto it = objects_.find({std::string(ns), std::string(name)});
  if (it == objects_.end()) return std::nullopt;
  return it->second;
}

std::vector<Json> MapStore::list(std::string_view ns) const {
  std::vector<Json> out;
  for (const auto& [key, obj] : objects_) {
    if (ns.empty() || key.first == ns) out.push_back(obj);
  }
  return out;
}

kube::Result FakeApi::record(std::string verb, const kube::ResourceType& type, std::string ns,
                             std::string name, Json body) {
  calls.push_back({std::move(verb), type.plural, std::move(ns), std::move(name), body});
  return {200, std::move(body), "", ""};
}

std::vector<ApiCall> FakeApi::calls_of(const std::string& verb) const {
  std::vector<ApiCall> out;
  for (const auto& c : calls) {
    if (c.verb == verb) out.push_back(c);
  }
  return out;
}

kube::Result FakeApi::get(const kube::ResourceType& type, std::string_view ns, std::string_view name) {
  return record("get", type, std::string(ns), std::string(name), nullptr);
}

kube::Result FakeApi::list(const kube::ResourceType& type, std::string_view ns, const kube::ListOptions&) {
  return record("list", type, std::string(ns), "", nullptr);
}

kube::Result FakeApi::apply(const kube::ResourceType& type, const Json& object) {
  return record("apply", type, object["metadata"].value("namespace", ""), object["metadata"].value("name", ""), object);
}

kube::Result FakeApi::apply_status(const kube::ResourceType& type, const Json& object) {
  const std::string ns = object["metadata"].value("namespace", "");
  const std::string name = object["metadata"].value("name", "");
  auto r = record("apply_status", type, ns, name, object);
  if (topics_ != nullptr && type == kube::types::kRunnelTopic) {
    if (Json* stored = topics_->find(ns, name)) (*stored)["status"] = object["status"];
  }
  return r;
}

kube::Result FakeApi::merge_patch(const kube::ResourceType& type, std::string_view ns, std::string_view name,
                                  const Json& patch) {
  auto r = record("merge_patch", type, std::string(ns), std::string(name), patch);
  if (fail_next_patch_with != 0) {
    r.status = fail_next_patch_with;
    r.message = "injected failure";
    fail_next_patch_with = 0;
    return r;
  }
  if (topics_ == nullptr || !(type == kube::types::kRunnelTopic)) return r;
  Json* stored = topics_->find(std::string(ns), std::string(name));
  if (stored == nullptr) return {404, nullptr, "NotFound", "not found"};
  Json p = patch;
  if (p["metadata"].contains("resourceVersion")) {
    if (p["metadata"]["resourceVersion"] != (*stored)["metadata"].value("resourceVersion", "")) {
      return {409, nullptr, "Conflict", "the object has been modified"};
    }
    p["metadata"].erase("resourceVersion");
  }
  stored->merge_patch(p);
  auto& meta = (*stored)["metadata"];
  meta["resourceVersion"] = std::to_string(std::stoi(meta.value("resourceVersion", "1")) + 1);
  if (meta.contains("deletionTimestamp") &&
      (!meta.contains("finalizers") || meta["finalizers"].empty())) {
    topics_->erase(std::string(ns), std::string(name));
  }
  return r;
}

kube::Result FakeApi::create(const kube::ResourceType& type, const Json& object) {
  return record("create", type, object["metadata"].value("namespace", ""), object["metadata"].value("name", ""), object);
}

kube::Result FakeApi::remove(const kube::ResourceType& type, std::string_view ns, std::string_view name) {
  return record("remove", type, std::string(ns), std::string(name), nullptr);
}

Json topic_object(const std::string& name, const std::string& cluster, int partitions, Json config,
                  std::vector<std::string> finalizers) {
  Json meta = {{"name", name}, {"namespace", "ns"}, {"uid", "uid-" + name}, {"generation", 1},
               {"resourceVersion", "1"}};
  if (!finalizers.empty()) meta["finalizers"] = finalizers;
  return {{"apiVersion", "runnel.dev/v1alpha1"},
          {"kind", "RunnelTopic"},
          {"metadata", meta},
          {"spec", {{"clusterRef", cluster}, {"partitions", partitions}, {"replicationFactor", 1}, {"config", config}}}};
}

Json cluster_object(const std::string& name, std::vector<std::pair<std::string, bool>> brokers) {
  Json list = Json::array();
  int id = 0;
  for (const auto& [address, ready] : brokers) {
    list.push_back({{"id", id}, {"pod", name + "-" + std::to_string(id)}, {"ready", ready}, {"address", address}});
    ++id;
  }
  return {{"apiVersion", "runnel.dev/v1alpha1"},
          {"kind", "RunnelCluster"},
          {"metadata", {{"name", name}, {"namespace", "ns"}, {"uid", "uid-" + name}}},
          {"spec", {{"replicas", 1}}},
          {"status", {{"brokers", list}, {"bootstrap", name + "-bootstrap.ns.svc:9092"}}}};
}

}  // namespace runnel::controllers::testing
