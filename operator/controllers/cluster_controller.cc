#include "operator/controllers/cluster_controller.h"

#include <algorithm>

#include "operator/controllers/cluster_pods.h"
#include "operator/controllers/cluster_status.h"
#include "operator/controllers/reasons.h"
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

// What the roll needs to know about the StatefulSet (as applied, or as cached).
RollInput roll_input(const std::string& desired_hash, const kube::Json& sts, std::string last_deleted_uid) {
  RollInput in;
  in.desired_hash = desired_hash;
  if (sts.is_object()) {
    int64_t generation = int_at(sts, "/metadata/generation");
    in.statefulset_current = generation == 0 || int_at(sts, "/status/observedGeneration") >= generation;
    if (sts.contains(JP("/status/updateRevision"))) {
      in.update_revision = sts.at(JP("/status/updateRevision")).get<std::string>();
    }
  }
  in.last_deleted_uid = std::move(last_deleted_uid);
  return in;
}

}  // namespace

struct ClusterController::Pass {
  kube::ObjectKey key;
  const api::RunnelCluster& cluster;
  const kube::Json& object;          // the cluster as read from the store, for events
  std::vector<BrokerPod> pods;
  // children
  std::string config_hash;
  kube::Json statefulset;            // as the API server returned it, else as cached, else null
  std::optional<ChildrenError> children_error;
  // roll
  RollPlan plan;
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
  if (!parsed) {
    // The schema should make this impossible; retrying cannot fix it, a spec edit will.
    events_.record(*object, EventType::kWarning, to_string(ClusterReason::kInvalidSpec), parsed.error());
    return kube::ReconcileResult::done();
  }
  const api::RunnelCluster& c = *parsed;
  if (c.metadata.deleting()) return kube::ReconcileResult::done();

  Pass pass{key, c, *object, cluster_pods(pods_, c)};
  kube::ReconcileResult result = reconcile_children(pass);
  // Pods are only restarted onto children that were all applied.
  if (!pass.children_error) result = kube::fold(std::move(result), reconcile_roll(pass));
  return kube::fold(std::move(result), reconcile_status(pass));
}

kube::ReconcileResult ClusterController::reconcile_children(Pass& pass) {
  const api::RunnelCluster& c = pass.cluster;
  resources::DesiredChildren desired = resources::build_children(c);
  pass.config_hash = desired.config_hash;
  std::optional<kube::Json> old = statefulsets_.get(c.metadata.ns, resources::statefulset_name(c.metadata.name));
  pass.statefulset = old.value_or(kube::Json());
  if (resources::ConfigCheck check = resources::check_broker_config(c); !check.ok()) {
    // Nothing is applied: the brokers keep their last good configuration. A retry cannot fix the
    // spec (its edit re-queues the cluster), so only the resync looks again.
    pass.children_error = ChildrenError{ClusterReason::kInvalidConfig,
                                        "spec.config is not a valid broker configuration: " + check.error};
    events_.record(pass.object, EventType::kWarning, to_string(ClusterReason::kInvalidConfig),
                   pass.children_error->message);
    return kube::ReconcileResult::after(options_.resync);
  }
  if (old) {
    int64_t before = int_at(*old, "/spec/replicas");
    if (before != c.spec.replicas) {
      events_.record(pass.object, EventType::kNormal, to_string(ClusterReason::kScaling),
                     "scaling from " + std::to_string(before) + " to " + std::to_string(c.spec.replicas) +
                         " brokers");
    }
  }
  for (const auto& child : desired.objects) {
    kube::Result r = api_.apply(child.type, child.object);
    if (!r.ok()) {
      pass.children_error = ChildrenError{ClusterReason::kApplyFailed, describe_failure(child, r)};
      events_.record(pass.object, EventType::kWarning, to_string(ClusterReason::kApplyFailed),
                     pass.children_error->message);
      return kube::ReconcileResult::failed(pass.children_error->message);
    }
    if (child.type == kube::types::kStatefulSet && r.body.is_object() && r.body.contains("metadata")) {
      pass.statefulset = r.body;
    }
  }
  return kube::ReconcileResult::done();
}

kube::ReconcileResult ClusterController::reconcile_roll(Pass& pass) {
  const api::RunnelCluster& c = pass.cluster;
  RollInput in = roll_input(pass.config_hash, pass.statefulset, last_deleted(pass.key));
  pass.plan = plan_roll(c, pass.pods, in, *options_.gate);
  if (!pass.plan.stale.empty() && !c.status.rolling_restart.in_progress) {
    events_.record(pass.object, EventType::kNormal, to_string(ClusterReason::kRollingRestartStarted),
                   std::to_string(pass.plan.stale.size()) +
                       " broker(s) to restart for a new configuration or pod template");
  }
  if (pass.plan.action == RollPlan::Action::restart) {
    if (kube::ReconcileResult r = restart_pod(pass); r.error) return r;
  } else if (pass.plan.stale.empty()) {
    remember_deleted(pass.key, {});
  }
  const bool settled = pass.plan.stale.empty() && pass.plan.action == RollPlan::Action::none;
  return kube::ReconcileResult::after(settled ? options_.resync : options_.progress_poll);
}

kube::ReconcileResult ClusterController::restart_pod(Pass& pass) {
  RollPlan& plan = pass.plan;
  kube::Result r = api_.remove(kube::types::kPod, pass.cluster.metadata.ns, plan.pod);
  if (!r.ok() && !r.not_found()) {
    std::string why = "cannot delete pod " + plan.pod + ": HTTP " + std::to_string(r.status) + " " + r.message;
    plan.action = RollPlan::Action::wait;
    plan.reason = why;
    plan.pod.clear();
    return kube::ReconcileResult::failed(why);
  }
  auto victim = std::find_if(pass.pods.begin(), pass.pods.end(),
                             [&](const BrokerPod& p) { return p.name == plan.pod; });
  remember_deleted(pass.key, victim == pass.pods.end() ? std::string() : victim->uid);
  events_.record(pass.object, EventType::kNormal, to_string(ClusterReason::kPodRestarted),
                 "restarting broker pod " + plan.pod + " (" + std::to_string(plan.stale.size()) +
                     " still on the old configuration)");
  return kube::ReconcileResult::done();
}

kube::ReconcileResult ClusterController::reconcile_status(Pass& pass) {
  const api::RunnelCluster& c = pass.cluster;
  StatusInput in{pass.config_hash, pass.plan, pass.children_error, options_.now(),
                 options_.not_ready_degraded_after};
  api::RunnelClusterStatus status = compute_status(c, pass.pods, in);
  if (c.status.rolling_restart.in_progress && !status.rolling_restart.in_progress) {
    events_.record(pass.object, EventType::kNormal, to_string(ClusterReason::kRollingRestartFinished),
                   "every broker runs the current configuration and is ready");
  }
  kube::Json status_json = api::to_json(status);
  if (pass.object.value("status", kube::Json()) != status_json) {
    kube::Json patch = {{"apiVersion", api::kApiVersion},
                        {"kind", api::kClusterKind},
                        {"metadata", {{"name", c.metadata.name}, {"namespace", c.metadata.ns}}},
                        {"status", status_json}};
    kube::Result r = api_.apply_status(kube::types::kRunnelCluster, patch);
    if (!r.ok() && !r.not_found()) {
      return kube::ReconcileResult::failed("apply status: HTTP " + std::to_string(r.status) + " " + r.message);
    }
  }
  // A failed children step has already chosen when to look again.
  if (pass.children_error) return kube::ReconcileResult::done();
  const bool ready = api::condition_is_true(status.conditions, api::kReady);
  return kube::ReconcileResult::after(ready ? options_.resync : options_.progress_poll);
}

}  // namespace runnel::controllers
