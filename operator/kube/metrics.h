#pragma once
// The operator's Prometheus metrics (the "probe" for the kube layer). Names are a contract with
// dashboards and alerts:
//   runnel_operator_reconcile_total{controller,result="success|error|requeue"}  counter
//   runnel_operator_reconcile_errors_total{controller}                          counter
//   runnel_operator_reconcile_duration_seconds{controller}                      histogram
//   runnel_operator_workqueue_depth{controller}                                 gauge
//   runnel_operator_leader                                                      gauge (1 leading)
//   runnel_operator_watch_restarts_total{resource}                              counter
// Thread-safe (prometheus-cpp families lock internally).

#include <memory>
#include <string>

namespace prometheus {
class Registry;
template <typename T>
class Family;
class Counter;
class Gauge;
class Histogram;
}  // namespace prometheus

namespace runnel::kube {

enum class ReconcileOutcome { kSuccess, kError, kRequeue };

class OperatorMetrics {
 public:
  OperatorMetrics();
  ~OperatorMetrics();

  const std::shared_ptr<prometheus::Registry>& registry() const { return registry_; }

  // Create a controller's / a watched resource's series at zero.
  void register_controller(const std::string& controller);
  void register_watch(const std::string& resource);
  void reconciled(const std::string& controller, ReconcileOutcome outcome, double seconds);
  void set_queue_depth(const std::string& controller, double depth);
  void set_leader(bool leading);
  void watch_restart(const std::string& resource);
  // Prometheus text exposition of everything registered (for tests and debugging).
  std::string text() const;

 private:
  std::shared_ptr<prometheus::Registry> registry_;
  prometheus::Family<prometheus::Counter>* reconcile_total_;
  prometheus::Family<prometheus::Counter>* reconcile_errors_;
  prometheus::Family<prometheus::Histogram>* reconcile_duration_;
  prometheus::Family<prometheus::Gauge>* queue_depth_;
  prometheus::Gauge* leader_;
  prometheus::Family<prometheus::Counter>* watch_restarts_;
};

}  // namespace runnel::kube
