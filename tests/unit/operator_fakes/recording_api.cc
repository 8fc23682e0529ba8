#include "tests/unit/operator_fakes/recording_api.h"

namespace runnel::operator_fakes {
namespace {

std::string meta(const Json& obj, const char* key) {
  return obj.contains("metadata") ? obj["metadata"].value(key, "") : "";
}

kube::Result echo(int status, Json body) { return {status, std::move(body), "", ""}; }

}  // namespace

void RecordingApi::record(std::string verb, const kube::ResourceType& type, std::string ns,
                          std::string name, Json body) {
  calls.push_back({std::move(verb), type.kind, type.plural, std::move(ns), std::move(name), std::move(body)});
}

MapStore* RecordingApi::reflected(const kube::ResourceType& type) const {
  auto it = reflected_.find(type.plural);
  return it == reflected_.end() ? nullptr : it->second;
}

std::vector<ApiCall> RecordingApi::calls_of(const std::string& verb) const {
  std::vector<ApiCall> out;
  for (const auto& c : calls) {
    if (c.verb == verb) out.push_back(c);
  }
  return out;
}

kube::Result RecordingApi::get(const kube::ResourceType& type, std::string_view ns, std::string_view name) {
  record("get", type, std::string(ns), std::string(name), nullptr);
  return {404, nullptr, "NotFound", "not found"};
}

kube::Result RecordingApi::list(const kube::ResourceType& type, std::string_view ns, const kube::ListOptions&) {
  record("list", type, std::string(ns), "", nullptr);
  return echo(200, {{"items", Json::array()}});
}

kube::Result RecordingApi::apply(const kube::ResourceType& type, const Json& object) {
  record("apply", type, meta(object, "namespace"), meta(object, "name"), object);
  auto it = apply_results.find(type.kind);
  return it != apply_results.end() ? it->second : echo(200, object);
}

kube::Result RecordingApi::apply_status(const kube::ResourceType& type, const Json& object) {
  const std::string ns = meta(object, "namespace");
  const std::string name = meta(object, "name");
  record("apply_status", type, ns, name, object);
  if (MapStore* store = reflected(type)) {
    if (Json* stored = store->find(ns, name)) (*stored)["status"] = object["status"];
  }
  return echo(200, object);
}

kube::Result RecordingApi::merge_patch(const kube::ResourceType& type, std::string_view ns,
                                       std::string_view name, const Json& patch) {
  record("merge_patch", type, std::string(ns), std::string(name), patch);
  if (fail_next_patch_with != 0) {
    kube::Result r{fail_next_patch_with, nullptr, "", "injected failure"};
    fail_next_patch_with = 0;
    return r;
  }
  MapStore* store = reflected(type);
  if (store == nullptr) return echo(200, patch);
  Json* stored = store->find(std::string(ns), std::string(name));
  if (stored == nullptr) return {404, nullptr, "NotFound", "not found"};
  Json p = patch;
  if (p["metadata"].contains("resourceVersion")) {
    if (p["metadata"]["resourceVersion"] != (*stored)["metadata"].value("resourceVersion", "")) {
      return {409, nullptr, "Conflict", "the object has been modified"};
    }
    p["metadata"].erase("resourceVersion");
  }
  stored->merge_patch(p);
  auto& m = (*stored)["metadata"];
  m["resourceVersion"] = std::to_string(std::stoi(m.value("resourceVersion", "1")) + 1);
  if (m.contains("deletionTimestamp") && (!m.contains("finalizers") || m["finalizers"].empty())) {
    store->erase(std::string(ns), std::string(name));
  }
  return echo(200, patch);
}

kube::Result RecordingApi::create(const kube::ResourceType& type, const Json& object) {
  record("create", type, meta(object, "namespace"), meta(object, "name"), object);
  return echo(201, object);
}

kube::Result RecordingApi::remove(const kube::ResourceType& type, std::string_view ns, std::string_view name) {
  record("remove", type, std::string(ns), std::string(name), nullptr);
  auto it = remove_results.find(type.kind);
  return it != remove_results.end() ? it->second : echo(200, nullptr);
}

}  // namespace runnel::operator_fakes
