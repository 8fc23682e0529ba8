#pragma once
// Test doubles for the topic controller's Kubernetes side: a map-backed Store and an Api that
// records every call and applies merge patches / status to that store, the way the API server
// would (including finishing a deletion once the last finalizer is gone).

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "operator/kube/api.h"

namespace runnel::controllers::testing {

using kube::Json;

class MapStore : public kube::Store {
 public:
  void put(Json obj);
  void erase(const std::string& ns, const std::string& name) { objects_.erase({ns, name}); }
  Json* find(const std::string& ns, const std::string& name);
  std::optional<Json> get(std::string_view ns, std::string_view name) const override;
  std::vector<Json> list(std::string_view ns) const override;

 private:
  std::map<std::pair<std::string, std::string>, Json> objects_;
};

struct ApiCall {
  std::string verb;  // get, list, apply, apply_status, merge_patch, create, remove
  std::string plural;
  std::string ns;
  std::string name;
  Json body;
};

class FakeApi : public kube::Api {
 public:
  // Patches and status of RunnelTopics are applied to `topics` (may be null).
  explicit FakeApi(MapStore* topics) : topics_(topics) {}

  kube::Result get(const kube::ResourceType& type, std::string_view ns, std::string_view name) override;
  kube::Result list(const kube::ResourceType& type, std::string_view ns, const kube::ListOptions&) override;
  kube::Result apply(const kube::ResourceType& type, const Json& object) override;
  kube::Result apply_status(const kube::ResourceType& type, const Json& object) override;
  kube::Result merge_patch(const kube::ResourceType& type, std::string_view ns, std::string_view name,
                           const Json& patch) override;
  kube::Result create(const kube::ResourceType& type, const Json& object) override;
  kube::Result remove(const kube::ResourceType& type, std::string_view ns, std::string_view name) override;

  std::vector<ApiCall> calls;
  // When set, the next merge_patch answers this status (e.g. 409) without applying.
  int fail_next_patch_with = 0;

  std::vector<ApiCall> calls_of(const std::string& verb) const;

 private:
  kube::Result record(std::string verb, const kube::ResourceType& type, std::string ns, std::string name,
                      Json body);
  MapStore* topics_;
};

// A RunnelTopic / RunnelCluster as the API server would hand them out.
Json topic_object(const std::string& name, const std::string& cluster, int partitions,
                  Json config = Json::object(), std::vector<std::string> finalizers = {});
Json cluster_object(const std::string& name, std::vector<std::pair<std::string, bool>> brokers = {});

}  // namespace runnel::controllers::testing
