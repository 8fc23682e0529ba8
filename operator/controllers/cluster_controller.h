#pragma once
// The RunnelCluster controller.
//
// One reconcile, level-triggered and idempotent. After reading the cluster from its store (gone or
// being deleted: nothing to do, the children go with it through their ownerReferences), it runs
// three steps in a fixed order, the way Strimzi's KafkaReconciler chains its reconcile steps:
//   children  build the desired children with the pure builders of operator/resources and
//             server-side apply them in order (ConfigMap, Services, StatefulSet,
//             PodDisruptionBudget), stopping at the first failure so pods never point at a config
//             that was not written; an invalid spec.config applies nothing;
//   roll      when some broker pods run an old config hash or StatefulSet revision, delete at most
//             one of them (see cluster_roll.h); skipped when the children step failed;
//   status    compute the status (cluster_status.h) and apply it when it changed; always runs,
//             so a failure of an earlier step is visible on the resource.
// Each step returns a kube::ReconcileResult and the controller folds them (kube::fold): the first
// failure wins, otherwise the soonest requeue. That requeues every few seconds while a roll or
// scale is under way and every `resync` otherwise, so drift is corrected even without events.
//
// Thread safety: reconcile may run on several worker threads for different keys at once; the only
// mutable state (the pod deleted last per cluster) is guarded by a mutex.

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "operator/api/runnel_cluster.h"
#include "operator/controllers/cluster_roll.h"
#include "operator/controllers/events.h"
#include "operator/kube/reconciler.h"

namespace runnel::controllers {

struct ClusterControllerOptions {
  std::function<api::Clock::time_point()> now = [] { return api::Clock::now(); };
  std::chrono::milliseconds resync{std::chrono::seconds(30)};
  // Poll interval while pods are rolling, scaling or starting.
  std::chrono::milliseconds progress_poll{std::chrono::seconds(5)};
  std::chrono::seconds not_ready_degraded_after{300};
  // nullptr: AllBrokersReadyGate.
  std::shared_ptr<const RollGate> gate;
};

class ClusterController final : public kube::Reconciler {
 public:
  ClusterController(kube::Api& api, const kube::Store& clusters, const kube::Store& statefulsets,
                    const kube::Store& pods, EventRecorder& events,
                    ClusterControllerOptions options = {});

  std::string name() const override { return "runnelcluster"; }
  const kube::ResourceType& primary() const override { return kube::types::kRunnelCluster; }
  // StatefulSet, ConfigMap, Service, Pod.
  std::vector<kube::ResourceType> watches() const override;
  // Pods are owned by the StatefulSet, not the cluster: they map through the instance label.
  std::vector<kube::ObjectKey> map_secondary(const kube::ResourceType& type,
                                             const kube::Json& obj) const override;
  kube::ReconcileResult reconcile(const kube::ObjectKey& key) override;

 private:
  // What one reconcile has learnt so far, handed from step to step.
  struct Pass;
  kube::ReconcileResult reconcile_children(Pass& pass);
  kube::ReconcileResult reconcile_roll(Pass& pass);
  kube::ReconcileResult reconcile_status(Pass& pass);
  // Deletes the pod `pass.plan` names; on failure the plan turns into a wait that says why.
  kube::ReconcileResult restart_pod(Pass& pass);
  std::string last_deleted(const kube::ObjectKey& key);
  void remember_deleted(const kube::ObjectKey& key, std::string uid);

  kube::Api& api_;
  const kube::Store& clusters_;
  const kube::Store& statefulsets_;
  const kube::Store& pods_;
  EventRecorder& events_;
  ClusterControllerOptions options_;
  std::mutex mutex_;
  std::map<std::string, std::string> deleted_uid_;  // "ns/name" -> uid of the pod deleted last
};

}  // namespace runnel::controllers
