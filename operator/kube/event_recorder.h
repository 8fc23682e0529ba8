#pragma once
// Kubernetes Events ("kubectl describe" shows them) for the objects the operator manages.
//
// Controllers depend on the small `EventRecorder` interface; unit tests use the
// FakeEventRecorder of tests/unit/operator_fakes, which only remembers what was recorded.
// `ApiEventRecorder` writes core/v1 Events and, like
// client-go's correlator, folds repeats of the same (object, type, reason, message) into one
// Event whose `count` and `lastTimestamp` grow instead of creating a new object each time.
// Recording never fails the caller: events are best effort.

#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "operator/kube/api.h"

namespace runnel::kube {

enum class EventType { kNormal, kWarning };

class EventRecorder {
 public:
  virtual ~EventRecorder() = default;
  // `object` is the involved object as read from a store (needs kind, apiVersion, metadata).
  // `reason` is CamelCase (a controller's reason enum as text).
  virtual void record(const Json& object, EventType type, std::string_view reason,
                      const std::string& message) = 0;
};

class ApiEventRecorder : public EventRecorder {
 public:
  // `component` goes into source.component and reportingController.
  explicit ApiEventRecorder(Api& api, std::string component = "runnel-operator");
  void record(const Json& object, EventType type, std::string_view reason,
              const std::string& message) override;

  // The Event object that would be created for a first occurrence (exposed for tests).
  Json build_event(const Json& object, EventType type, const std::string& reason,
                   const std::string& message, const std::string& now) const;

 private:
  struct Seen {
    std::string ns, name;
    int count;
  };
  Api& api_;
  std::string component_;
  std::mutex mu_;
  std::map<std::string, Seen> seen_;  // correlation key -> the Event we created
};

}  // namespace runnel::kube
