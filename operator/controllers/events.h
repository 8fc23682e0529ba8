#pragma once
// The event sink controllers report to (Kubernetes Events, shown by kubectl describe). The
// interface and the real implementation live in the kube library (kube::ApiEventRecorder posts
// and de-duplicates core/v1 Events); unit tests pass the FakeEventRecorder of
// tests/unit/operator_fakes. This header is the controllers' name for it, so a controller never
// depends on which one it gets.

#include "operator/kube/event_recorder.h"

namespace runnel::controllers {

using EventRecorder = kube::EventRecorder;
using EventType = kube::EventType;

}  // namespace runnel::controllers
