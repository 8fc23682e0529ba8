#pragma once
// The one place where controllers are registered with the manager. main() calls this after
// creating the Api and the event recorder and before Manager::start(). Each controller takes its
// read caches from manager.store(type) and is added with manager.add(...).

#include <chrono>
#include <string>

#include "operator/kube/api.h"
#include "operator/kube/event_recorder.h"
#include "operator/kube/manager.h"

namespace runnel::operator_app {

struct ControllerContext {
  std::string operator_namespace;  // where the operator runs (its own namespace)
  std::chrono::seconds resync{0};  // periodic drift correction; 0 keeps each controller's default
};

void register_controllers(kube::Manager& manager, kube::Api& api, kube::EventRecorder& events,
                          const ControllerContext& context);

}  // namespace runnel::operator_app
