#pragma once
// An EventRecorder that only remembers what was recorded. Thread-safe (the manager's workers may
// record from several threads).

#include <mutex>
#include <string>
#include <vector>

#include "operator/kube/event_recorder.h"

namespace runnel::operator_fakes {

class FakeEventRecorder : public kube::EventRecorder {
 public:
  struct Recorded {
    std::string kind, ns, name;
    kube::EventType type;
    std::string reason, message;
  };
  void record(const kube::Json& object, kube::EventType type, std::string_view reason,
              const std::string& message) override;
  std::vector<Recorded> events() const;
  bool has(const std::string& reason) const;

 private:
  mutable std::mutex mu_;
  std::vector<Recorded> events_;
};

}  // namespace runnel::operator_fakes
