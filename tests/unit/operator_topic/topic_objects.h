#pragma once
// RunnelTopic / RunnelCluster objects (namespace "ns") as the API server would hand them out.

#include <string>
#include <utility>
#include <vector>

#include "operator/kube/api.h"

namespace runnel::controllers::testing {

using kube::Json;

inline Json topic_object(const std::string& name, const std::string& cluster, int partitions,
                         Json config = Json::object(), std::vector<std::string> finalizers = {}) {
  Json meta = {{"name", name}, {"namespace", "ns"}, {"uid", "uid-" + name}, {"generation", 1},
               {"resourceVersion", "1"}};
  if (!finalizers.empty()) meta["finalizers"] = finalizers;
  return {{"apiVersion", "runnel.dev/v1alpha1"},
          {"kind", "RunnelTopic"},
          {"metadata", meta},
          {"spec", {{"clusterRef", cluster}, {"partitions", partitions}, {"replicationFactor", 1}, {"config", config}}}};
}

inline Json cluster_object(const std::string& name, std::vector<std::pair<std::string, bool>> brokers = {}) {
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
