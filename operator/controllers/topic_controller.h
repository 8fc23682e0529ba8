#pragma once
// TopicController: makes the topics in the brokers of a RunnelCluster match RunnelTopic resources,
// in the manner of Strimzi's topic operator.
//
// One reconcile of namespace/name:
//  1. No resource: nothing to do. Topics no RunnelTopic names are never touched.
//  2. Being deleted: delete the topic in the brokers, then drop the finalizer `runnel.dev/topic`.
//     When the RunnelCluster is gone (or itself being deleted) the finalizer is released without
//     a broker call, so deleting a namespace never hangs on a topic whose brokers no longer exist.
//  3. Otherwise, first make sure the finalizer (and the managed-config-keys annotation, see
//     topic_config_plan.h) are on the object: nothing is created in the brokers before the
//     operator is certain to see the resource's deletion.
//  4. Find the cluster (missing: Ready=False/ClusterNotFound, retried later) and connect to its
//     brokers (failing: Ready=False/BrokerUnreachable, retried with the queue's backoff).
//  5. Create the topic when missing; grow its partitions (a decrease is refused with
//     Ready=False/PartitionDecreaseNotSupported and the topic left as is); set and delete the
//     managed configs incrementally.
//  6. Write status (observedGeneration, topicId, partitions, config, Ready) when it changed, and
//     requeue after `resync` so changes made behind the operator's back are corrected.
//
// Thread safety: reconcile keeps no state between calls, so the manager may run it for different
// keys on several threads (each call connects its own admin client).

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "broker/model/result.h"
#include "operator/api/runnel_topic.h"
#include "operator/controllers/events.h"
#include "operator/controllers/reasons.h"
#include "operator/controllers/topic_cluster_link.h"
#include "operator/kube/reconciler.h"

namespace runnel::controllers {

inline constexpr const char* kTopicFinalizer = "runnel.dev/topic";

struct TopicControllerOptions {
  // Periodic drift correction, even when all is well.
  std::chrono::milliseconds resync{std::chrono::seconds(60)};
  // How soon to look again for a RunnelCluster that does not exist (its creation also re-queues
  // the topic through the cluster watch).
  std::chrono::milliseconds cluster_missing_retry{std::chrono::seconds(30)};
};

class TopicController final : public kube::Reconciler {
 public:
  TopicController(kube::Api& api, const kube::Store& topics, const kube::Store& clusters,
                  AdminFactory admin_factory, EventRecorder& events,
                  TopicControllerOptions options = {});

  std::string name() const override { return "runneltopic"; }
  const kube::ResourceType& primary() const override { return kube::types::kRunnelTopic; }
  std::vector<kube::ResourceType> watches() const override { return {kube::types::kRunnelCluster}; }
  // A RunnelCluster maps to every RunnelTopic of its namespace whose spec.clusterRef names it.
  std::vector<kube::ObjectKey> map_secondary(const kube::ResourceType& type,
                                             const kube::Json& obj) const override;
  kube::ReconcileResult reconcile(const kube::ObjectKey& key) override;

 private:
  // What reconciling against the brokers found, for status.
  struct SyncResult {
    bool ready = false;
    TopicReason reason = TopicReason::kTopicReady;
    std::string message;
    std::string topic_id;
    int32_t partitions = 0;
    api::StringMap config;
    kube::ReconcileResult result;
  };

  kube::ReconcileResult reconcile_deletion(const kube::Json& raw, const api::RunnelTopic& topic);
  kube::ReconcileResult release_finalizer(const kube::Json& raw, const api::RunnelTopic& topic);
  // Adds the finalizer and widens the managed-keys annotation in one merge patch when needed.
  // The error says why the patch failed, for the reconcile's failure and the condition.
  runnel::Result<void, std::string> ensure_metadata(const api::RunnelTopic& topic);
  runnel::Result<void, std::string> set_managed_keys(const api::RunnelTopic& topic, const std::string& value);
  SyncResult sync_with_brokers(const kube::Json& raw, const api::RunnelTopic& topic,
                            operator_admin::AdminClient& admin);
  bool sync_configs(const kube::Json& raw, const api::RunnelTopic& topic,
                    operator_admin::AdminClient& admin, SyncResult& out);
  // Writes status (unless unchanged) and returns `out.result`.
  kube::ReconcileResult finish(const kube::Json& raw, const api::RunnelTopic& topic, SyncResult out);
  kube::ReconcileResult not_ready(const kube::Json& raw, const api::RunnelTopic& topic,
                                  TopicReason reason, std::string message,
                                  kube::ReconcileResult result);
  std::optional<kube::Json> live_cluster(const api::RunnelTopic& topic) const;

  kube::Api& api_;
  const kube::Store& topics_;
  const kube::Store& clusters_;
  AdminFactory admin_factory_;
  EventRecorder& events_;
  TopicControllerOptions options_;
};

}  // namespace runnel::controllers
