#pragma once
// RunnelCluster (runnel.dev/v1alpha1): a set of Runnel brokers run as one StatefulSet.
// The schema, defaults and documentation of every field live in crds/runnelclusters.runnel.dev.yaml;
// the defaults below repeat the CRD's so an object that skipped defaulting (a unit-test fixture, an
// old object) behaves the same.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "operator/api/conditions.h"
#include "operator/api/object_meta.h"
#include "operator/api/parse_result.h"

namespace runnel::api {

inline constexpr const char* kClusterKind = "RunnelCluster";
inline constexpr const char* kDefaultImage = "ghcr.io/runnel/runnel:0.1.0";
inline constexpr int32_t kDefaultReplicas = 3;
inline constexpr int64_t kDefaultTerminationGracePeriodSeconds = 60;

struct StorageSpec {
  std::string size = "10Gi";
  std::optional<std::string> storage_class_name;
};

// spec.template.pod: merged into the broker pod template. Kubernetes-typed parts (tolerations,
// affinity) stay JSON: the operator passes them through and the API server validates them.
struct PodOverrides {
  StringMap annotations;
  StringMap labels;
  StringMap node_selector;
  Json tolerations;  // array, or null when unset
  Json affinity;     // object, or null when unset
  std::string priority_class_name;
};

struct RunnelClusterSpec {
  int32_t replicas = kDefaultReplicas;
  std::string image = kDefaultImage;
  std::string image_pull_policy;  // empty: the Kubernetes default
  StorageSpec storage;
  Json resources;    // corev1.ResourceRequirements, or null
  StringMap config;  // broker properties, merged over the operator's defaults
  PodOverrides pod;
  int64_t termination_grace_period_seconds = kDefaultTerminationGracePeriodSeconds;
};

struct BrokerStatus {
  int32_t id = -1;
  std::string pod;
  bool ready = false;
  std::string address;  // podIP:9092, empty until the pod has an IP
  bool operator==(const BrokerStatus&) const = default;
};

struct RollingRestartStatus {
  bool in_progress = false;
  int32_t pending = 0;  // pods still running an old config or revision
  int32_t total = 0;
  std::string current_pod;  // the pod restarted last, while the roll is running
  bool operator==(const RollingRestartStatus&) const = default;
};

struct RunnelClusterStatus {
  std::vector<Condition> conditions;
  int64_t observed_generation = 0;
  int32_t replicas = 0;  // broker pods that exist (the scale subresource's status.replicas)
  int32_t ready_brokers = 0;
  std::string selector;  // label selector of the broker pods, for the scale subresource
  std::vector<BrokerStatus> brokers;
  std::string bootstrap;  // host:port of the bootstrap Service
  std::string config_hash;
  RollingRestartStatus rolling_restart;
};

struct RunnelCluster {
  ObjectMeta metadata;
  RunnelClusterSpec spec;
  RunnelClusterStatus status;
};

Parsed<RunnelCluster> parse_cluster(const Json& object);

Json to_json(const RunnelClusterSpec& spec);
Json to_json(const RunnelClusterStatus& status);
RunnelClusterStatus cluster_status_from_json(const Json& status);
// The whole object (apiVersion, kind, metadata, spec, status).
Json to_json(const RunnelCluster& cluster);

}  // namespace runnel::api
