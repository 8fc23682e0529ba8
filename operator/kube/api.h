#pragma once
// The narrow view of the Kubernetes API that controllers are written against.
//
// Controllers never see HTTP: they read desired and observed state through `Store`s (informer
// caches, or maps in unit tests) and write through `Api` (the real HTTP client, or a fake that
// records calls). Keeping this seam small is what lets the reconcile decisions be unit-tested
// without a cluster, and the real client be tested once against a real kube-apiserver.
//
// Thread safety: an `Api` implementation must be safe to call from any one thread at a time per
// instance; the operator gives each worker thread its own client or serialises calls.

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace runnel::kube {

using Json = nlohmann::json;

// Identifies a resource type on the API server, e.g. {"apps", "v1", "statefulsets", true}.
struct ResourceType {
  std::string group;  // "" for the core group
  std::string version;
  std::string plural;
  std::string kind;
  bool namespaced = true;

  std::string api_version() const { return group.empty() ? version : group + "/" + version; }
  bool operator==(const ResourceType&) const = default;
};

// The outcome of one API call. `status` is the HTTP status (0 when no response arrived: connection
// refused, TLS failure, timeout). `body` is the decoded JSON body when there was one; for errors it
// is usually a metav1.Status whose `reason` (NotFound, Conflict, AlreadyExists, Gone, Invalid,
// Forbidden, ...) is copied into `reason`.
struct Result {
  int status = 0;
  Json body;
  std::string reason;
  std::string message;  // human-readable: Status.message, or the transport error

  bool ok() const { return status >= 200 && status < 300; }
  bool not_found() const { return status == 404; }
  bool conflict() const { return status == 409; }
  bool gone() const { return status == 410; }
  bool transport_error() const { return status == 0; }
};

struct ListOptions {
  std::string label_selector;
  std::string field_selector;
};

class Api {
 public:
  virtual ~Api() = default;

  virtual Result get(const ResourceType& type, std::string_view ns, std::string_view name) = 0;
  // `ns` empty lists across all namespaces (or a cluster-scoped type).
  virtual Result list(const ResourceType& type, std::string_view ns, const ListOptions& opts) = 0;
  // Server-side apply (PATCH application/apply-patch+yaml, body sent as JSON, fieldManager
  // runnel-operator, force=true). Namespace and name come from `object.metadata`.
  virtual Result apply(const ResourceType& type, const Json& object) = 0;
  // Server-side apply of `object.status` through the /status subresource.
  virtual Result apply_status(const ResourceType& type, const Json& object) = 0;
  // JSON merge patch (application/merge-patch+json), e.g. to edit metadata.finalizers.
  virtual Result merge_patch(const ResourceType& type, std::string_view ns, std::string_view name,
                             const Json& patch) = 0;
  virtual Result create(const ResourceType& type, const Json& object) = 0;
  virtual Result remove(const ResourceType& type, std::string_view ns, std::string_view name) = 0;
};

// A read-only cache of one resource type (an informer's store, or a fixture in tests).
class Store {
 public:
  virtual ~Store() = default;
  virtual std::optional<Json> get(std::string_view ns, std::string_view name) const = 0;
  // `ns` empty returns every object.
  virtual std::vector<Json> list(std::string_view ns) const = 0;
};

// Well-known types the operator touches.
namespace types {
inline const ResourceType kConfigMap{"", "v1", "configmaps", "ConfigMap", true};
inline const ResourceType kService{"", "v1", "services", "Service", true};
inline const ResourceType kPod{"", "v1", "pods", "Pod", true};
inline const ResourceType kEvent{"", "v1", "events", "Event", true};
inline const ResourceType kSecret{"", "v1", "secrets", "Secret", true};
inline const ResourceType kStatefulSet{"apps", "v1", "statefulsets", "StatefulSet", true};
inline const ResourceType kPodDisruptionBudget{"policy", "v1", "poddisruptionbudgets",
                                               "PodDisruptionBudget", true};
inline const ResourceType kLease{"coordination.k8s.io", "v1", "leases", "Lease", true};
inline const ResourceType kRunnelCluster{"runnel.dev", "v1alpha1", "runnelclusters",
                                         "RunnelCluster", true};
inline const ResourceType kRunnelTopic{"runnel.dev", "v1alpha1", "runneltopics", "RunnelTopic",
                                       true};
}  // namespace types

}  // namespace runnel::kube
