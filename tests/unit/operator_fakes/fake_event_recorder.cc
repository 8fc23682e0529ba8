#include "tests/unit/operator_fakes/fake_event_recorder.h"

namespace runnel::operator_fakes {

void FakeEventRecorder::record(const kube::Json& object, kube::EventType type, std::string_view reason,
                               const std::string& message) {
  const kube::Json meta = object.is_object() ? object.value("metadata", kube::Json::object()) : kube::Json::object();
  std::lock_guard lock(mu_);
  events_.push_back({object.is_object() ? object.value("kind", "") : "", meta.value("namespace", ""),
                     meta.value("name", ""), type, std::string(reason), message});
}

std::vector<FakeEventRecorder::Recorded> FakeEventRecorder::events() const {
  std::lock_guard lock(mu_);
  return events_;
}

bool FakeEventRecorder::has(const std::string& reason) const {
  std::lock_guard lock(mu_);
  for (const auto& e : events_)
    if (e.reason == reason) return true;
  return false;
}

}  // namespace runnel::operator_fakes
