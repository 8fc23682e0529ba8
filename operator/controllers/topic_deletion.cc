// TopicController: what happens once a RunnelTopic has a deletionTimestamp.
#include <algorithm>

#include "operator/controllers/topic_controller.h"

namespace runnel::controllers {

using kube::Json;
using kube::ReconcileResult;

ReconcileResult TopicController::reconcile_deletion(const Json& raw, const api::RunnelTopic& topic) {
  const auto& finalizers = topic.metadata.finalizers;
  if (std::find(finalizers.begin(), finalizers.end(), kTopicFinalizer) == finalizers.end()) {
    return ReconcileResult::done();  // not ours (any more): the API server finishes the deletion
  }
  const std::string name = topic.kafka_topic_name();
  auto cluster = live_cluster(topic);
  if (!cluster) {
    // The brokers are gone with their cluster (or going): holding the finalizer would only hang
    // the deletion, e.g. of the whole namespace.
    events_.record(raw, EventType::kNormal, to_string(TopicReason::kFinalizerReleased),
                  "RunnelCluster '" + topic.spec.cluster_ref + "' is gone; topic '" + name +
                      "' is not deleted from any broker");
    return release_finalizer(raw, topic);
  }
  auto admin = admin_factory_(*cluster);
  if (!admin.ok()) {
    std::string message = "cannot delete topic '" + name + "': brokers unreachable: " + admin.error().describe();
    events_.record(raw, EventType::kWarning, to_string(TopicReason::kBrokerUnreachable), message);
    return ReconcileResult::failed(message);
  }
  auto deleted = admin.value()->delete_topics({name});
  if (!deleted.ok()) {
    std::string message = "cannot delete topic '" + name + "': " + deleted.error().describe();
    events_.record(raw, EventType::kWarning, to_string(TopicReason::kDeleteFailed), message);
    return ReconcileResult::failed(message);
  }
  for (const auto& r : deleted.value()) {
    if (r.name != name) continue;
    if (r.ok()) {
      events_.record(raw, EventType::kNormal, to_string(TopicReason::kDeleted), "Deleted topic '" + name + "'");
    } else if (r.error != ErrorCode::unknown_topic_or_partition) {
      // Already gone is success; anything else (e.g. TOPIC_DELETION_DISABLED) must be retried
      // or fixed by a person, so the finalizer stays.
      std::string message = "cannot delete topic '" + name + "': " + std::string(error_name(r.error)) +
                            (r.message.empty() ? "" : ": " + r.message);
      events_.record(raw, EventType::kWarning, to_string(TopicReason::kDeleteFailed), message);
      return ReconcileResult::failed(message);
    }
  }
  return release_finalizer(raw, topic);
}

ReconcileResult TopicController::release_finalizer(const Json&, const api::RunnelTopic& topic) {
  const auto& meta = topic.metadata;
  std::vector<std::string> rest;
  for (const auto& f : meta.finalizers) {
    if (f != kTopicFinalizer) rest.push_back(f);
  }
  if (rest.size() == meta.finalizers.size()) return ReconcileResult::done();
  Json patch_meta = {{"finalizers", rest}};
  if (!meta.resource_version.empty()) patch_meta["resourceVersion"] = meta.resource_version;
  auto r = api_.merge_patch(kube::types::kRunnelTopic, meta.ns, meta.name, {{"metadata", patch_meta}});
  if (!r.ok() && !r.not_found()) {
    return ReconcileResult::failed("cannot remove finalizer from RunnelTopic " + meta.ns + "/" + meta.name +
                                   ": " + std::to_string(r.status) + " " + r.message);
  }
  return ReconcileResult::done();
}

}  // namespace runnel::controllers
