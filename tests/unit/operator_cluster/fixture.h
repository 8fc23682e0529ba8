#pragma once
// A ClusterController wired to fakes, plus builders for the JSON the stores would hold.

#include <gtest/gtest.h>

#include <memory>

#include "operator/api/runnel_cluster.h"
#include "operator/api/time.h"
#include "operator/controllers/cluster_controller.h"
#include "operator/resources/children.h"
#include "tests/unit/operator_fakes/fake_event_recorder.h"
#include "tests/unit/operator_fakes/map_store.h"
#include "tests/unit/operator_fakes/recording_api.h"

namespace runnel::controllers::cluster_testing {

using kube::Json;
using operator_fakes::MapStore;
using operator_fakes::RecordingApi;

inline const char* kNow = "2026-11-25T12:00:00Z";

inline Json cluster_json(int replicas = 3, Json config = Json::object()) {
  return {{"apiVersion", "runnel.dev/v1alpha1"},
          {"kind", "RunnelCluster"},
          {"metadata", {{"name", "demo"}, {"namespace", "kafka"}, {"uid", "uid-1"}, {"generation", 2}}},
          {"spec", {{"replicas", replicas}, {"image", "runnel:dev"}, {"config", config}}}};
}

inline std::string desired_hash(const Json& cluster) {
  return resources::build_children(api::parse_cluster(cluster).value()).config_hash;
}

struct PodSpec {
  int ordinal = 0;
  bool ready = true;
  std::string hash;
  std::string uid;  // default: "pod-uid-<ordinal>"
  std::string revision = "demo-rev1";
  std::string waiting_reason;
  std::string ready_since = "2026-11-25T11:59:00Z";
  bool deleting = false;
};

inline Json pod_json(const PodSpec& p) {
  std::string name = "demo-" + std::to_string(p.ordinal);
  Json pod = {
      {"metadata",
       {{"name", name},
        {"namespace", "kafka"},
        {"uid", p.uid.empty() ? "pod-uid-" + std::to_string(p.ordinal) : p.uid},
        {"creationTimestamp", "2026-11-25T11:00:00Z"},
        {"labels",
         {{"app.kubernetes.io/name", "runnel"},
          {"app.kubernetes.io/instance", "demo"},
          {"app.kubernetes.io/component", "broker"},
          {"apps.kubernetes.io/pod-index", std::to_string(p.ordinal)},
          {"controller-revision-hash", p.revision}}},
        {"annotations", {{"runnel.dev/config-hash", p.hash}}}}},
      {"status",
       {{"podIP", "10.0.0." + std::to_string(p.ordinal + 1)},
        {"conditions", Json::array({{{"type", "Ready"},
                                     {"status", p.ready ? "True" : "False"},
                                     {"lastTransitionTime", p.ready_since}}})}}}};
  if (p.deleting) pod["metadata"]["deletionTimestamp"] = "2026-11-25T11:59:59Z";
  if (!p.waiting_reason.empty()) {
    pod["status"]["containerStatuses"] =
        Json::array({{{"name", "broker"}, {"state", {{"waiting", {{"reason", p.waiting_reason}}}}}}});
  }
  return pod;
}

class ClusterControllerTest : public ::testing::Test {
 protected:
  MapStore clusters, statefulsets, pods;
  RecordingApi api;
  operator_fakes::FakeEventRecorder events;
  std::shared_ptr<const RollGate> gate;  // set before controller() to replace the default

  ClusterController& controller() {
    if (!controller_) {
      ClusterControllerOptions opts;
      opts.now = [] { return *api::parse_time(kNow); };
      opts.gate = gate;
      controller_ = std::make_unique<ClusterController>(api, clusters, statefulsets, pods, events, opts);
    }
    return *controller_;
  }
  kube::ReconcileResult reconcile() { return controller().reconcile({"kafka", "demo"}); }

  // A cluster whose `n` pods all run the desired config.
  void healthy_cluster(int n) {
    clusters.put(cluster_json(n));
    for (int i = 0; i < n; ++i) pods.put(pod_json({.ordinal = i, .hash = desired_hash(cluster_json(n))}));
  }
  Json last_status() {
    auto calls = api.calls_of("apply_status");
    return calls.empty() ? Json() : calls.back().body["status"];
  }
  static Json condition(const Json& status, const std::string& type) {
    for (const auto& c : status["conditions"]) {
      if (c["type"] == type) return c;
    }
    return Json();
  }
  std::vector<std::string> deleted_pods() {
    std::vector<std::string> out;
    for (const auto& c : api.calls_of("remove")) out.push_back(c.name);
    return out;
  }

 private:
  std::unique_ptr<ClusterController> controller_;
};

}  // namespace runnel::controllers::cluster_testing
