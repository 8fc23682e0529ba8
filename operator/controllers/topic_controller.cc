#include "operator/controllers/topic_controller.h"

#include <algorithm>

#include "operator/api/time.h"
#include "operator/controllers/topic_config_plan.h"

namespace runnel::controllers {

using kube::Json;
using kube::ReconcileResult;

TopicController::TopicController(kube::Api& api, const kube::Store& topics, const kube::Store& clusters,
                                 AdminFactory admin_factory, EventRecorder& events,
                                 TopicControllerOptions options)
    : api_(api),
      topics_(topics),
      clusters_(clusters),
      admin_factory_(std::move(admin_factory)),
      events_(events),
      options_(options) {}

std::vector<kube::ObjectKey> TopicController::map_secondary(const kube::ResourceType& type,
                                                            const Json& obj) const {
  if (!(type == kube::types::kRunnelCluster) || !obj.is_object()) return {};
  const Json meta = obj.value("metadata", Json::object());
  const std::string ns = meta.value("namespace", "");
  const std::string cluster = meta.value("name", "");
  std::vector<kube::ObjectKey> keys;
  for (const auto& t : topics_.list(ns)) {
    if (!t.is_object()) continue;
    const Json spec = t.value("spec", Json::object());
    if (!spec.is_object() || !spec.contains("clusterRef") || spec["clusterRef"] != cluster) continue;
    const Json tm = t.value("metadata", Json::object());
    keys.push_back({tm.value("namespace", ns), tm.value("name", "")});
  }
  return keys;
}

ReconcileResult TopicController::reconcile(const kube::ObjectKey& key) {
  auto raw = topics_.get(key.ns, key.name);
  if (!raw) return ReconcileResult::done();  // deleted: nothing in the brokers is ours to touch
  auto parsed = api::parse_topic(*raw);
  if (!parsed) {
    // A deleting object with a broken spec still must not hang: release what we hold.
    api::RunnelTopic minimal;
    minimal.metadata = api::meta_from_json(raw->value("metadata", Json::object()));
    if (minimal.metadata.deleting()) return release_finalizer(*raw, minimal);
    events_.record(*raw, EventType::kWarning, to_string(TopicReason::kInvalidSpec), parsed.error());
    return not_ready(*raw, minimal, TopicReason::kInvalidSpec, parsed.error(), ReconcileResult::done());
  }
  const api::RunnelTopic& topic = *parsed;
  if (topic.metadata.deleting()) return reconcile_deletion(*raw, topic);

  if (auto patched = ensure_metadata(topic); !patched) return ReconcileResult::failed(patched.error());

  auto cluster = live_cluster(topic);
  if (!cluster) {
    std::string message = "RunnelCluster '" + topic.spec.cluster_ref + "' does not exist in namespace '" +
                          topic.metadata.ns + "' (or is being deleted)";
    events_.record(*raw, EventType::kWarning, to_string(TopicReason::kClusterNotFound), message);
    return not_ready(*raw, topic, TopicReason::kClusterNotFound, message,
                     ReconcileResult::after(options_.cluster_missing_retry));
  }
  auto admin = admin_factory_(*cluster);
  if (!admin.ok()) {
    std::string message = "cannot reach the brokers of RunnelCluster '" + topic.spec.cluster_ref +
                          "': " + admin.error().describe();
    events_.record(*raw, EventType::kWarning, to_string(TopicReason::kBrokerUnreachable), message);
    return not_ready(*raw, topic, TopicReason::kBrokerUnreachable, message,
                     ReconcileResult::failed(message));
  }
  return finish(*raw, topic, sync_with_brokers(*raw, topic, *admin.value()));
}

std::optional<Json> TopicController::live_cluster(const api::RunnelTopic& topic) const {
  auto cluster = clusters_.get(topic.metadata.ns, topic.spec.cluster_ref);
  if (!cluster) return std::nullopt;
  const Json meta = cluster->value("metadata", Json::object());
  if (meta.contains("deletionTimestamp") && !meta["deletionTimestamp"].is_null()) return std::nullopt;
  return cluster;
}

runnel::Result<void, std::string> TopicController::ensure_metadata(const api::RunnelTopic& topic) {
  const auto& meta = topic.metadata;
  const bool has_finalizer =
      std::find(meta.finalizers.begin(), meta.finalizers.end(), kTopicFinalizer) != meta.finalizers.end();
  const KeySet before = parse_managed_keys(meta.annotations);
  KeySet wanted = before;
  for (const auto& [k, v] : topic.spec.config) wanted.insert(k);
  if (has_finalizer && wanted == before) return {};

  Json patch_meta = Json::object();
  if (!has_finalizer) {
    std::vector<std::string> finalizers = meta.finalizers;
    finalizers.push_back(kTopicFinalizer);
    patch_meta["finalizers"] = finalizers;
    // The finalizer list is replaced as a whole by a merge patch: the resourceVersion makes the
    // API server refuse it (409) if someone else changed the list meanwhile.
    if (!meta.resource_version.empty()) patch_meta["resourceVersion"] = meta.resource_version;
  }
  if (wanted != before) patch_meta["annotations"] = {{kManagedConfigKeysAnnotation, format_managed_keys(wanted)}};
  auto r = api_.merge_patch(kube::types::kRunnelTopic, meta.ns, meta.name, {{"metadata", patch_meta}});
  if (!r.ok()) {
    return Unexpected("cannot add finalizer/annotation to RunnelTopic " + meta.ns + "/" + meta.name + ": " +
                      std::to_string(r.status) + " " + r.message);
  }
  return {};
}

runnel::Result<void, std::string> TopicController::set_managed_keys(const api::RunnelTopic& topic,
                                                                    const std::string& value) {
  // Annotations merge key by key, so no resourceVersion is needed to avoid clobbering others.
  Json annotation = value.empty() ? Json(nullptr) : Json(value);
  auto r = api_.merge_patch(kube::types::kRunnelTopic, topic.metadata.ns, topic.metadata.name,
                            {{"metadata", {{"annotations", {{kManagedConfigKeysAnnotation, annotation}}}}}});
  if (!r.ok()) {
    return Unexpected("cannot update annotation " + std::string(kManagedConfigKeysAnnotation) + ": " + r.message);
  }
  return {};
}

ReconcileResult TopicController::not_ready(const Json& raw, const api::RunnelTopic& topic, TopicReason reason,
                                           std::string message, ReconcileResult result) {
  SyncResult out;
  out.ready = false;
  out.reason = reason;
  out.message = std::move(message);
  // Keep what was last observed in the brokers: not knowing now does not make it untrue.
  out.topic_id = topic.status.topic_id;
  out.partitions = topic.status.partitions;
  out.config = topic.status.config;
  out.result = std::move(result);
  return finish(raw, topic, std::move(out));
}

ReconcileResult TopicController::finish(const Json& raw, const api::RunnelTopic& topic, SyncResult out) {
  api::RunnelTopicStatus status = topic.status;
  status.observed_generation = topic.metadata.generation;
  status.topic_id = out.topic_id;
  status.partitions = out.partitions;
  status.config = out.config;
  api::set_condition(status.conditions,
                     api::make_condition(api::kReady, out.ready, to_string(out.reason), out.message,
                                         topic.metadata.generation),
                     api::format_time(api::Clock::now()));
  const Json next = api::to_json(status);
  if (raw.contains("status") && raw["status"] == next) return out.result;
  Json object = {{"apiVersion", kube::types::kRunnelTopic.api_version()},
                 {"kind", kube::types::kRunnelTopic.kind},
                 {"metadata", {{"name", topic.metadata.name}, {"namespace", topic.metadata.ns}}},
                 {"status", next}};
  auto r = api_.apply_status(kube::types::kRunnelTopic, object);
  if (!r.ok() && !r.not_found() && !out.result.error) {
    return ReconcileResult::failed("cannot write status of RunnelTopic " + topic.metadata.ns + "/" +
                                   topic.metadata.name + ": " + r.message);
  }
  return out.result;
}

}  // namespace runnel::controllers
