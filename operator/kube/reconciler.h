#pragma once
// What a controller implements. The manager (operator/app) owns the informers, the rate-limited
// work queue and the worker threads; it calls `reconcile` with the namespace/name of an object
// whose state may differ from what is wanted. Reconcile is level-triggered: it reads the current
// state from the stores, never from the event that queued the key, so running it twice, or for an
// object that no longer exists, is harmless.

#include <chrono>
#include <string>
#include <vector>

#include "operator/kube/api.h"

namespace runnel::kube {

struct ObjectKey {
  std::string ns;
  std::string name;
  bool operator==(const ObjectKey&) const = default;
};

struct ReconcileResult {
  // An error is retried with the queue's per-key exponential backoff and counted in
  // runnel_operator_reconcile_errors_total.
  bool error = false;
  std::string error_message;
  // Zero means "done until something changes"; otherwise re-run after this delay (used for
  // periodic drift correction and for waiting on pods during a rolling restart).
  std::chrono::milliseconds requeue_after{0};

  static ReconcileResult done() { return {}; }
  static ReconcileResult after(std::chrono::milliseconds d) { return {false, {}, d}; }
  static ReconcileResult failed(std::string msg) { return {true, std::move(msg), {}}; }
};

// Combines the results of the steps of one reconcile, earlier step first: the first failure wins;
// otherwise the soonest requeue ("done" only when every step is done).
ReconcileResult fold(ReconcileResult earlier, ReconcileResult later);

class Reconciler {
 public:
  virtual ~Reconciler() = default;
  virtual std::string name() const = 0;  // "runnelcluster", "runneltopic": the metrics label
  // The primary type whose keys are queued.
  virtual const ResourceType& primary() const = 0;
  // Secondary types whose changes re-queue their owner (found through ownerReferences of kind
  // primary().kind, or by `map_secondary`).
  virtual std::vector<ResourceType> watches() const { return {}; }
  // Maps a changed secondary object to the primary keys to re-queue; the default follows
  // controller ownerReferences of the primary kind.
  virtual std::vector<ObjectKey> map_secondary(const ResourceType& type, const Json& obj) const;
  virtual ReconcileResult reconcile(const ObjectKey& key) = 0;
};

}  // namespace runnel::kube
