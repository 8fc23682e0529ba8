#pragma once
// Test doubles for the cluster controller: a map-backed Store and an Api that records calls and
// answers each call from a per-kind script (default: 200 echoing the object).

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "operator/kube/api.h"

namespace runnel::controllers::cluster_testing {

using kube::Json;

class MapStore : public kube::Store {
 public:
  void put(Json obj) {
    const Json& m = obj["metadata"];
    objects_[{m.value("namespace", ""), m.value("name", "")}] = std::move(obj);
  }
  Json& at(const std::string& ns, const std::string& name) { return objects_.at({ns, name}); }
  void erase(const std::string& ns, const std::string& name) { objects_.erase({ns, name}); }
  std::optional<Json> get(std::string_view ns, std::string_view name) const override {
    auto it = objects_.find({std::string(ns), std::string(name)});
    if (it == objects_.end()) return std::nullopt;
    return it->second;
  }
  std::vector<Json> list(std::string_view ns) const override {
    std::vector<Json> out;
    for (const auto& [key, obj] : objects_) {
      if (ns.empty() || key.first == ns) out.push_back(obj);
    }
    return out;
  }

 private:
  std::map<std::pair<std::string, std::string>, Json> objects_;
};

struct Call {
  std::string verb;
  std::string kind;
  std::string ns;
  std::string name;
  Json body;
};

class RecordingApi : public kube::Api {
 public:
  std::vector<Call> calls;
  // kind -> the Result every apply of that kind returns instead of echoing the object.
  std::map<std::string, kube::Result> apply_results;

  std::vector<Call> of(const std::string& verb) const {
    std::vector<Call> out;
    for (const auto& c : calls) {
      if (c.verb == verb) out.push_back(c);
    }
    return out;
  }

  kube::Result get(const kube::ResourceType& t, std::string_view ns, std::string_view name) override {
    return record("get", t, std::string(ns), std::string(name), Json(), {404, {}, "NotFound", ""});
  }
  kube::Result list(const kube::ResourceType& t, std::string_view ns, const kube::ListOptions&) override {
    return record("list", t, std::string(ns), "", Json(), {200, {{"items", Json::array()}}, "", ""});
  }
  kube::Result apply(const kube::ResourceType& t, const Json& obj) override {
    auto it = apply_results.find(t.kind);
    kube::Result r = it != apply_results.end() ? it->second : kube::Result{200, obj, "", ""};
    return record("apply", t, meta(obj, "namespace"), meta(obj, "name"), obj, r);
  }
  kube::Result apply_status(const kube::ResourceType& t, const Json& obj) override {
    return record("apply_status", t, meta(obj, "namespace"), meta(obj, "name"), obj, {200, obj, "", ""});
  }
  kube::Result merge_patch(const kube::ResourceType& t, std::string_view ns, std::string_view name,
                           const Json& patch) override {
    return record("merge_patch", t, std::string(ns), std::string(name), patch, {200, patch, "", ""});
  }
  kube::Result create(const kube::ResourceType& t, const Json& obj) override {
    return record("create", t, meta(obj, "namespace"), meta(obj, "name"), obj, {201, obj, "", ""});
  }
  kube::Result remove(const kube::ResourceType& t, std::string_view ns, std::string_view name) override {
    return record("remove", t, std::string(ns), std::string(name), Json(), {200, {}, "", ""});
  }

 private:
  static std::string meta(const Json& obj, const char* key) {
    return obj.contains("metadata") ? obj["metadata"].value(key, "") : "";
  }
  kube::Result record(std::string verb, const kube::ResourceType& t, std::string ns, std::string name,
                      Json body, kube::Result r) {
    calls.push_back({std::move(verb), t.kind, std::move(ns), std::move(name), std::move(body)});
    return r;
  }
};

}  // namespace runnel::controllers::cluster_testing
