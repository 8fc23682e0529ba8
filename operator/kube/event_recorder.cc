#include "operator/kube/event_recorder.h"

#include <chrono>
#include <ctime>

#include "broker/log/log.h"

namespace runnel::kube {
namespace {

const char* type_name(EventType t) { return t == EventType::kWarning ? "Warning" : "Normal"; }

std::string meta(const Json& obj, const char* key) {
  if (!obj.is_object() || !obj.contains("metadata")) return {};
  return obj["metadata"].value(key, "");
}

std::string rfc3339_now() {
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

}  // namespace

ApiEventRecorder::ApiEventRecorder(Api& api, std::string component)
    : api_(api), component_(std::move(component)) {}

Json ApiEventRecorder::build_event(const Json& object, EventType type, const std::string& reason,
                                   const std::string& message, const std::string& now) const {
  std::string ns = meta(object, "namespace");
  if (ns.empty()) ns = "default";  // events about cluster-scoped objects live in default
  // A unique name: the object's name plus a nanosecond timestamp in hex, as client-go does.
  auto nanos = std::chrono::duration_cast<std::chrono::nanoseconds>(
                   std::chrono::system_clock::now().time_since_epoch())
                   .count();
  char suffix[32];
  std::snprintf(suffix, sizeof(suffix), ".%llx", static_cast<unsigned long long>(nanos));
  Json involved = {{"kind", object.value("kind", "")},
                   {"apiVersion", object.value("apiVersion", "")},
                   {"name", meta(object, "name")},
                   {"uid", meta(object, "uid")},
                   {"resourceVersion", meta(object, "resourceVersion")}};
  if (!meta(object, "namespace").empty()) involved["namespace"] = meta(object, "namespace");
  return {{"metadata", {{"name", meta(object, "name") + suffix}, {"namespace", ns}}},
          {"involvedObject", involved},
          {"reason", reason},
          {"message", message.substr(0, 1024)},
          {"type", type_name(type)},
          {"source", {{"component", component_}}},
          {"reportingComponent", component_},
          {"firstTimestamp", now},
          {"lastTimestamp", now},
          {"count", 1}};
}

void ApiEventRecorder::record(const Json& object, EventType type, std::string_view reason_text,
                              const std::string& message) {
  const std::string reason(reason_text);
  std::string now = rfc3339_now();
  std::string key = object.value("kind", "") + "/" + meta(object, "namespace") + "/" +
                    meta(object, "name") + "/" + meta(object, "uid") + "/" + type_name(type) +
                    "/" + reason + "/" + message;
  std::lock_guard lock(mu_);  // also serialises the Api calls, which Api requires per instance
  auto it = seen_.find(key);
  if (it != seen_.end()) {
    Json patch = {{"count", it->second.count + 1}, {"lastTimestamp", now}};
    Result r = api_.merge_patch(types::kEvent, it->second.ns, it->second.name, patch);
    if (r.ok()) {
      ++it->second.count;
      return;
    }
    seen_.erase(it);  // expired (events have a TTL) or deleted: start a new one
  }
  Json ev = build_event(object, type, reason, message, now);
  Result r = api_.create(types::kEvent, ev);
  if (!r.ok()) {
    RUNNEL_LOG(warn, "cannot record event %s %s: %s", reason.c_str(), meta(object, "name").c_str(),
               r.message.c_str());
    return;
  }
  if (seen_.size() > 4096) seen_.clear();  // bounded memory; the worst case is a new Event
  seen_[key] = {ev["metadata"]["namespace"], ev["metadata"]["name"], 1};
}

}  // namespace runnel::kube
