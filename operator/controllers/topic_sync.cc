// TopicController: bringing one topic in the brokers in line with its RunnelTopic (create,
// partitions, configs). Every failure becomes the Ready condition's reason and message.
#include "operator/controllers/topic_config_plan.h"
#include "operator/controllers/topic_controller.h"

namespace runnel::controllers {

using kube::Json;
using kube::ReconcileResult;
using operator_admin::AdminError;
using operator_admin::AlterOp;

namespace {

// Keeps the first problem found: later steps still run (a refused partition decrease does not
// stop config changes) but do not hide it.
template <class Result>
void degrade(Result& out, TopicReason reason, std::string message, ReconcileResult result) {
  if (!out.ready) return;
  out.ready = false;
  out.reason = reason;
  out.message = std::move(message);
  out.result = std::move(result);
}

// A lost connection trumps everything: nothing after it was checked.
template <class Result>
void unreachable(Result& out, const std::string& topic, const AdminError& e) {
  out.ready = false;
  out.reason = TopicReason::kBrokerUnreachable;
  out.message = "lost the brokers while reconciling topic '" + topic + "': " + e.describe();
  out.result = ReconcileResult::failed(out.message);
}

std::string describe_ops(const std::vector<operator_admin::ConfigAlteration>& ops) {
  std::string set, removed;
  for (const auto& op : ops) {
    if (op.op == AlterOp::remove) removed += (removed.empty() ? "" : ", ") + op.name;
    else set += (set.empty() ? "" : ", ") + op.name + "=" + op.value.value_or("");
  }
  std::string out;
  if (!set.empty()) out = "set " + set;
  if (!removed.empty()) out += (out.empty() ? "" : "; ") + std::string("deleted ") + removed;
  return out;
}

}  // namespace

TopicController::SyncResult TopicController::sync_with_brokers(const Json& raw, const api::RunnelTopic& topic,
                                                               operator_admin::AdminClient& admin) {
  SyncResult out;
  out.ready = true;
  out.reason = TopicReason::kTopicReady;
  out.result = ReconcileResult::after(options_.resync);
  out.topic_id = topic.status.topic_id;
  out.partitions = topic.status.partitions;
  out.config = topic.status.config;
  const std::string name = topic.kafka_topic_name();
  const auto& spec = topic.spec;

  auto described = admin.describe_topics({name});
  if (!described.ok()) {
    if (described.error().is_transport()) unreachable(out, name, described.error());
    else degrade(out, TopicReason::kTopicError, "cannot describe topic '" + name + "': " + described.error().describe(),
                 ReconcileResult::failed(described.error().describe()));
    return out;
  }
  operator_admin::TopicDescription current;
  current.error = ErrorCode::unknown_topic_or_partition;
  for (const auto& d : described.value()) {
    if (d.name == name) current = d;
  }

  if (current.error == ErrorCode::unknown_topic_or_partition) {
    auto created = admin.create_topic(name, spec.partitions, static_cast<int16_t>(spec.replication_factor), spec.config);
    if (!created.ok()) {
      const auto& e = created.error();
      if (e.is_transport()) {
        unreachable(out, name, e);
      } else if (e.is(ErrorCode::topic_already_exists)) {
        // Created by someone else between describe and create: adopt it on the next pass.
        degrade(out, TopicReason::kCreateFailed, e.describe(), ReconcileResult::after(std::chrono::seconds(1)));
      } else if (e.is(ErrorCode::invalid_replication_factor)) {
        // Usually transient: brokers of a starting cluster are still registering. Retry with the
        // queue's backoff rather than waiting for the next resync.
        std::string message = "cannot create topic '" + name + "' yet: " + e.describe();
        events_.record(raw, EventType::kWarning, to_string(TopicReason::kCreateFailed), message);
        degrade(out, TopicReason::kCreateFailed, message, ReconcileResult::failed(message));
      } else {
        // The spec (name, replication factor, a config) is wrong: retrying will not help until
        // the resource changes, which re-queues it anyway; the resync still retries.
        std::string message = "cannot create topic '" + name + "': " + e.describe();
        events_.record(raw, EventType::kWarning, to_string(TopicReason::kCreateFailed), message);
        degrade(out, TopicReason::kCreateFailed, message, ReconcileResult::after(options_.resync));
      }
      return out;
    }
    current = created.value();
    events_.record(raw, EventType::kNormal, to_string(TopicReason::kCreated),
                  "Created topic '" + name + "' with " + std::to_string(current.partitions) +
                      " partition(s), replication factor " + std::to_string(current.replication_factor));
  } else if (current.error != ErrorCode::none) {
    std::string message = "topic '" + name + "': " + std::string(error_name(current.error));
    events_.record(raw, EventType::kWarning, to_string(TopicReason::kTopicError), message);
    degrade(out, TopicReason::kTopicError, message, ReconcileResult::after(options_.resync));
    return out;
  }
  out.topic_id = current.topic_id.is_zero() ? out.topic_id : current.topic_id.to_base64();
  out.partitions = current.partitions;

  if (spec.partitions > current.partitions) {
    auto grown = admin.create_partitions(name, spec.partitions);
    if (grown.ok()) {
      events_.record(raw, EventType::kNormal, to_string(TopicReason::kPartitionsIncreased),
                    "Increased partitions of topic '" + name + "' from " + std::to_string(current.partitions) +
                        " to " + std::to_string(spec.partitions));
      out.partitions = spec.partitions;
    } else if (grown.error().is_transport()) {
      unreachable(out, name, grown.error());
      return out;
    } else {
      std::string message = "cannot increase partitions of topic '" + name + "' to " +
                            std::to_string(spec.partitions) + ": " + grown.error().describe();
      events_.record(raw, EventType::kWarning, to_string(TopicReason::kPartitionsFailed), message);
      degrade(out, TopicReason::kPartitionsFailed, message, ReconcileResult::failed(message));
    }
  } else if (spec.partitions < current.partitions) {
    std::string message = "spec.partitions is " + std::to_string(spec.partitions) + " but topic '" + name +
                          "' has " + std::to_string(current.partitions) +
                          " partitions: Kafka cannot remove partitions (records are keyed to them), so the "
                          "topic is left as is. Set spec.partitions to at least " +
                          std::to_string(current.partitions) + ", or delete and recreate the topic.";
    events_.record(raw, EventType::kWarning, to_string(TopicReason::kPartitionDecreaseNotSupported), message);
    degrade(out, TopicReason::kPartitionDecreaseNotSupported, message, ReconcileResult::after(options_.resync));
  }

  sync_configs(raw, topic, admin, out);
  return out;
}

bool TopicController::sync_configs(const Json& raw, const api::RunnelTopic& topic,
                                   operator_admin::AdminClient& admin, SyncResult& out) {
  const std::string name = topic.kafka_topic_name();
  const auto& desired = topic.spec.config;
  auto current = admin.describe_configs(name);
  if (!current.ok()) {
    if (current.error().is_transport()) unreachable(out, name, current.error());
    else degrade(out, TopicReason::kConfigFailed, "cannot describe configs of topic '" + name + "': " + current.error().describe(),
                 ReconcileResult::failed(current.error().describe()));
    return false;
  }
  const KeySet before = parse_managed_keys(topic.metadata.annotations);
  const auto ops = plan_config_changes(desired, before, current.value());
  if (!ops.empty()) {
    auto altered = admin.incremental_alter_configs(name, ops);
    if (!altered.ok()) {
      if (altered.error().is_transport()) {
        unreachable(out, name, altered.error());
      } else {
        std::string message = "cannot change configs of topic '" + name + "' (" + describe_ops(ops) +
                              "): " + altered.error().describe();
        events_.record(raw, EventType::kWarning, to_string(TopicReason::kConfigFailed), message);
        degrade(out, TopicReason::kConfigFailed, message, ReconcileResult::after(options_.resync));
      }
      out.config = observed_config(desired, current.value());
      return false;  // the annotation keeps the union: removed keys are still ours to delete
    }
    events_.record(raw, EventType::kNormal, to_string(TopicReason::kConfigUpdated),
                  "Topic '" + name + "': " + describe_ops(ops));
    current = admin.describe_configs(name);
    if (!current.ok()) {
      if (current.error().is_transport()) unreachable(out, name, current.error());
      out.config = desired;  // just accepted by the brokers
      return false;
    }
  }
  out.config = observed_config(desired, current.value());

  // Every formerly managed key is now handled: stop remembering the ones no longer listed.
  const KeySet wanted = keys_of(desired);
  KeySet on_object = before;
  on_object.insert(wanted.begin(), wanted.end());  // what ensure_metadata left on the object
  if (on_object != wanted) {
    if (auto patched = set_managed_keys(topic, format_managed_keys(wanted)); !patched) {
      degrade(out, TopicReason::kConfigFailed, patched.error(), ReconcileResult::failed(patched.error()));
      return false;
    }
  }
  return true;
}

}  // namespace runnel::controllers
