#pragma once
// The reasons the controllers put on conditions and Events, as enums.
//
// The strings are the API: `kubectl describe`, alerts and the e2e tests match them, so a value's
// text never changes; add a new value instead. Controllers decide on the enum and convert with
// to_string only where the text leaves the process (a condition, an Event).

#include <string_view>

namespace runnel::controllers {

enum class ClusterReason {
  // Ready=True
  kAllBrokersReady,
  // Ready=False (and Degraded=True for the first two)
  kApplyFailed,     // a child could not be applied; retried with backoff
  kInvalidConfig,   // spec.config fails the broker's validation; waits for a spec edit
  kRollingRestart,
  kUpdating,        // the StatefulSet controller has not observed the new template yet
  kBrokersNotReady,
  // Progressing
  kScaling,
  kBrokersStarting,
  kStable,
  // Degraded
  kAsExpected,
  kBrokerFailing,
  kBrokerNotReady,
  // Events only
  kInvalidSpec,
  kRollingRestartStarted,
  kPodRestarted,
  kRollingRestartFinished,
};

enum class TopicReason {
  // Ready
  kTopicReady,
  kInvalidSpec,
  kClusterNotFound,
  kBrokerUnreachable,
  kPartitionDecreaseNotSupported,
  kCreateFailed,
  kPartitionsFailed,
  kConfigFailed,
  kTopicError,
  kDeleteFailed,
  // Events only
  kCreated,
  kPartitionsIncreased,
  kConfigUpdated,
  kDeleted,
  kFinalizerReleased,
};

std::string_view to_string(ClusterReason reason);
std::string_view to_string(TopicReason reason);

}  // namespace runnel::controllers
