#include "operator/controllers/cluster_controller.h"

#include <algorithm>

#include "operator/controllers/cluster_pods.h"
#include "operator/controllers/cluster_status.h"
#include "operator/resources/children.h"
#include "operator/resources/config_check.h"
#include "operator/resources/names.h"

namespace runnel::controllers {
namespace {

using JP = kube::Json::json_pointer;

std::string key_string(const kube::ObjectKey& key) { return key.ns + "/" + key.name; }

int64_t int_at(const kube::Json& j, const char* pointer) {
  JP p(pointer);
  return j.contains(p) && j.at(p).is_number_integer() ? j.at(p).get<int64_t>() : 0;
}

std::string describe_failure(const resources::Child& child, const kube::Result& r) {
  std::string what = child.type.kind + " " + child.object["metadata"].value("name", "");
  std::string why = r.transport_error() ? "no response from the API server" : "HTTP " + std::to_string(r.status);
  if (!r.reason.empty()) why += " " + r.reason;
  if (!r.message.empty()) why += ": " + r.message;
  return "apply " + what + ": " + why;
}

}  // namespace

struct ClusterController::Applied {
  std::optional<std::string> error;
  // ApplyFailed (retried with backoff) or InvalidConfig (waits for a spec edit).
  std::string error_reason = "ApplyFailed";
  std::string config_hash;
  kube::Json statefulset;  // the StatefulSet as the API server returned it, or null
};

ClusterController::ClusterController(kube::Api& api, const kube::Store& clusters,
                                     const kube::Store& statefulsets, const kube::Store& pods,
                                     EventRecorder& events, ClusterControllerOptions options)
    : api_(api), clusters_(clusters), statefulsets_(statefulsets), pods_(pods), events_(events),
      options_(std::move(options)) {
  if (!options_.gate) options_.gate = std::make_shared<AllBrokersReadyGate>();
}

std::vector<kube::ResourceType> ClusterController::watches() const {
  return {kube::types::kStatefulSet, kube::types::kConfigMap, kube::types::kService, kube::types::kPod};
}

std::vector<kube::ObjectKey> ClusterController::map_secondary(const kube::ResourceType& type,
                                                              const kube::Json& obj) const {
  if (!(type == kube::types::kPod)) return kube::Reconciler::map_secondary(type, obj);
  const kube::Json meta = obj.value("metadata", kube::Json::object());
  const kube::Json labels = meta.value("labels", kube::Json::object());
  if (labels.value(resources::kNameLabel, "") != resources::kAppName ||
      labels.value(resources::kComponentLabel, "") != resources::kComponentBroker) {
    return {};
  }
  std::string instance = labels.value(resources::kInstanceLabel, "");
  if (instance.empty()) return {};
  return {kube::ObjectKey{meta.value("namespace", ""), instance}};
}

ClusterController::Applied ClusterController::apply_children(const api::RunnelCluster& c,
                                                             const kube::Json& object) {
  resources::DesiredChildren desired = resources::build_children(c);
  Applied out;
  out.config_hash = desired.config_hash;
  if (resources::ConfigCheck check = resources::check_broker_config(c); !check.ok()) {
    // Nothing is applied: the brokers keep their last good configuration.
    out.error = "spec.config is not a valid broker configuration: " + check.error;
    out.error_reason = "InvalidConfig";
    events_.record(object, EventType::kWarning, "InvalidConfig", *out.error);
    out.statefulset = statefulsets_.get(c.metadata.ns, resources::statefulset_name(c.metadata.name))
                          .value_or(kube::Json());
    return out;
  }
  if (auto old = statefulsets_.get(c.metadata.ns, resources::statefulset_name(c.metadata.name))) {
    int64_t before = int_at(*old, "/spec/replicas");
    if (before != c.spec.replicas) {
      events_.record(object, EventType::kNormal, "Scaling",
                    "scaling from " + std::to_string(before) + " to " + std::to_string(c.spec.replicas) +
                        " brokers");
    }
    out.statefulset = *old;
  }
  for (const auto& child : desired.objects) {
    kube::Result r = api_.apply(child.type, child.object);
    if (!r.ok()) {
      out.error = describe_failure(child, r);
      events_.record(object, EventType::kWarning, "ApplyFailed", *out.error);
      return out;
    }
    if (child.type == kube::types::kStatefulSet && r.body.is_object() && r.body.contains("metadata")) {
      out.statefulset = r.body;
    }
  }
  return out;
}

std::string ClusterController::last_deleted(const kube::ObjectKey& key) {
  std::lock_guard lock(mutex_);
  auto it = deleted_uid_.find(key_string(key));
  return it == deleted_uid_.end() ? std::string() : it->second;
}

void ClusterController::remember_deleted(const kube::ObjectKey& key, std::string uid) {
  std::lock_guard lock(mutex_);
  if (uid.empty()) {
    deleted_uid_.erase(key_string(key));
  } else {
    deleted_uid_[key_string(key)] = std::move(uid);
  }
}

kube::ReconcileResult ClusterController::reconcile(const kube::ObjectKey& key) {
  std::optional<kube::Json> object = clusters_.get(key.ns, key.name);
  if (!object) {
    remember_deleted(key, {});
    return kube::ReconcileResult::done();
  }
  api::Parsed<api::RunnelCluster> parsed = api::parse_cluster(*object);
  if (!parsed.ok()) {
    // The schema should make this impossible; retrying cannot fix it, a spec edit will.
    events_.record(*object, EventType::kWarning, "InvalidSpec", parsed.error);
    return kube::ReconcileResult::done();
  }
  const api::RunnelCluster& c = *parsed.value;
  if (c.metadata.deleting()) return kube::ReconcileResult::done();

  Applied applied = apply_children(c, *object);
  std::vector<BrokerPod> pods = cluster_pods(pods_, c);

  RollInput roll_in;
  roll_in.desired_hash = applied.config_hash;
  if (applied.statefulset.is_object()) {
    const kube::Json& sts = applied.statefulset;
    int64_t generation = int_at(sts, "/metadata/generation");
    roll_in.statefulset_current = generation == 0 || int_at(sts, "/status/observedGeneration") >= generation;
    if (sts.contains(JP("/status/updateRevision"))) {
      roll_in.update_revision = sts.at(JP("/status/updateRevision")).get<std::string>();
    }
  }
  roll_in.last_deleted_uid = last_deleted(key);

  RollPlan plan;
  if (!applied.error) plan = plan_roll(c, pods, roll_in, *options_.gate);
  if (!plan.stale.empty() && !c.status.rolling_restart.in_progress) {
    events_.record(*object, EventType::kNormal, "RollingRestartStarted",
                  std::to_string(plan.stale.size()) + " broker(s) to restart for a new configuration or pod template");
  }
  if (plan.action == RollPlan::Action::restart) {
    auto victim = std::find_if(pods.begin(), pods.end(), [&](const BrokerPod& p) { return p.name == plan.pod; });
    kube::Result r = api_.remove(kube::types::kPod, c.metadata.ns, plan.pod);
    if (!r.ok() && !r.not_found()) {
      return kube::ReconcileResult::failed("delete pod " + plan.pod + ": HTTP " + std::to_string(r.status) +
                                           " " + r.message);
    }
    remember_deleted(key, victim == pods.end() ? std::string() : victim->uid);
    events_.record(*object, EventType::kNormal, "PodRestarted",
                  "restarting broker pod " + plan.pod + " (" + std::to_string(plan.stale.size()) +
                      " still on the old configuration)");
  } else if (plan.stale.empty()) {
    remember_deleted(key, {});
  }
  StatusInput status_in{applied.config_hash, plan, applied.error, applied.error_reason,
                        options_.now(), options_.not_ready_degraded_after};
  api::RunnelClusterStatus status = compute_status(c, pods, status_in);
  if (c.status.rolling_restart.in_progress && !status.rolling_restart.in_progress) {
    events_.record(*object, EventType::kNormal, "RollingRestartFinished",
                   "every broker runs the current configuration and is ready");
  }
  kube::Json status_json = api::to_json(status);
  if (object->value("status", kube::Json()) != status_json) {
    kube::Json patch = {{"apiVersion", api::kApiVersion},
                        {"kind", api::kClusterKind},
                        {"metadata", {{"name", c.metadata.name}, {"namespace", c.metadata.ns}}},
                        {"status", status_json}};
    kube::Result r = api_.apply_status(kube::types::kRunnelCluster, patch);
    if (!r.ok() && !r.not_found()) {
      return kube::ReconcileResult::failed("apply status: HTTP " + std::to_string(r.status) + " " + r.message);
    }
  }

  if (applied.error && applied.error_reason == "InvalidConfig") {
    return kube::ReconcileResult::after(options_.resync);  // a retry cannot fix the spec
  }
  if (applied.error) return kube::ReconcileResult::failed(*applied.error);
  bool settled = plan.stale.empty() && plan.action == RollPlan::Action::none &&
                 api::condition_is_true(status.conditions, api::kReady);
  return kube::ReconcileResult::after(settled ? options_.resync : options_.progress_poll);
}

}  // namespace runnel::controllers
