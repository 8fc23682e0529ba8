#pragma once
// Names, labels and ports of everything the operator creates for a RunnelCluster, in one place so
// the builders, the controller and the tests agree.

#include <string>

#include "operator/api/runnel_cluster.h"

namespace runnel::resources {

using Json = nlohmann::json;

inline constexpr int kKafkaPort = 9092;
inline constexpr int kAdminPort = 9644;
inline constexpr const char* kConfigDir = "/etc/runnel";
inline constexpr const char* kConfigFile = "server.properties";
inline constexpr const char* kDataMountPath = "/var/lib/runnel";
inline constexpr const char* kDataDir = "/var/lib/runnel/data";
inline constexpr const char* kContainerName = "broker";

// Annotations and labels.
inline constexpr const char* kConfigHashAnnotation = "runnel.dev/config-hash";
inline constexpr const char* kNameLabel = "app.kubernetes.io/name";
inline constexpr const char* kInstanceLabel = "app.kubernetes.io/instance";
inline constexpr const char* kComponentLabel = "app.kubernetes.io/component";
inline constexpr const char* kManagedByLabel = "app.kubernetes.io/managed-by";
inline constexpr const char* kAppName = "runnel";
inline constexpr const char* kComponentBroker = "broker";
inline constexpr const char* kManagedBy = "runnel-operator";
// Set by the StatefulSet controller on every pod (Kubernetes 1.28+): the pod's ordinal.
inline constexpr const char* kPodIndexLabel = "apps.kubernetes.io/pod-index";
inline constexpr const char* kRevisionLabel = "controller-revision-hash";

inline std::string statefulset_name(const std::string& cluster) { return cluster; }
inline std::string config_map_name(const std::string& cluster) { return cluster + "-config"; }
inline std::string headless_service_name(const std::string& cluster) { return cluster + "-brokers"; }
inline std::string bootstrap_service_name(const std::string& cluster) { return cluster + "-bootstrap"; }
inline std::string pdb_name(const std::string& cluster) { return cluster; }
inline std::string pod_name(const std::string& cluster, int ordinal) {
  return cluster + "-" + std::to_string(ordinal);
}
// "<name>-bootstrap.<ns>.svc:9092": what clients put in bootstrap.servers.
std::string bootstrap_address(const api::RunnelCluster& c);

// The labels that select a cluster's broker pods (StatefulSet selector, Services, PDB). They must
// never change for an existing cluster: a StatefulSet's selector is immutable.
Json selector_labels(const api::RunnelCluster& c);
// The selector as a label-selector string (status.selector, for the scale subresource); keys sorted.
std::string selector_string(const api::RunnelCluster& c);
// selector_labels plus managed-by: put on every child object.
Json instance_labels(const api::RunnelCluster& c);
// The controller ownerReference to the cluster (garbage collection deletes the children with it).
Json owner_reference(const api::RunnelCluster& c);
// apiVersion, kind and metadata {name, namespace, labels, ownerReferences} of a child object.
Json child_object(const char* api_version, const char* kind, const std::string& name,
                  const api::RunnelCluster& c);

}  // namespace runnel::resources
