#include "operator/kube/metrics.h"

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>

namespace runnel::kube {

OperatorMetrics::OperatorMetrics() : registry_(std::make_shared<prometheus::Registry>()) {
  using namespace prometheus;
  reconcile_total_ = &BuildCounter()
                          .Name("runnel_operator_reconcile_total")
                          .Help("Reconcile runs by controller and result")
                          .Register(*registry_);
  reconcile_errors_ = &BuildCounter()
                           .Name("runnel_operator_reconcile_errors_total")
                           .Help("Reconcile runs that failed")
                           .Register(*registry_);
  reconcile_duration_ = &BuildHistogram()
                             .Name("runnel_operator_reconcile_duration_seconds")
                             .Help("Time spent in one reconcile")
                             .Register(*registry_);
  queue_depth_ = &BuildGauge()
                      .Name("runnel_operator_workqueue_depth")
                      .Help("Keys waiting in the controller's work queue")
                      .Register(*registry_);
  leader_ = &BuildGauge()
                 .Name("runnel_operator_leader")
                 .Help("1 while this replica holds the leader lease")
                 .Register(*registry_)
                 .Add({});
  watch_restarts_ = &BuildCounter()
                         .Name("runnel_operator_watch_restarts_total")
                         .Help("Watches that ended abnormally and were restarted")
                         .Register(*registry_);
}

OperatorMetrics::~OperatorMetrics() = default;

void OperatorMetrics::reconciled(const std::string& controller, ReconcileOutcome outcome,
                                 double seconds) {
  static const prometheus::Histogram::BucketBoundaries kBuckets{
      0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60};
  const char* result = outcome == ReconcileOutcome::kSuccess  ? "success"
                       : outcome == ReconcileOutcome::kError ? "error"
                                                              : "requeue";
  reconcile_total_->Add({{"controller", controller}, {"result", result}}).Increment();
  if (outcome == ReconcileOutcome::kError)
    reconcile_errors_->Add({{"controller", controller}}).Increment();
  reconcile_duration_->Add({{"controller", controller}}, kBuckets).Observe(seconds);
}

void OperatorMetrics::register_controller(const std::string& controller) {
  // Series at 0 from the start, so dashboards and alerts see the family before the first error.
  for (const char* result : {"success", "error", "requeue"})
    reconcile_total_->Add({{"controller", controller}, {"result", result}});
  reconcile_errors_->Add({{"controller", controller}});
  queue_depth_->Add({{"controller", controller}});
}

void OperatorMetrics::register_watch(const std::string& resource) {
  watch_restarts_->Add({{"resource", resource}});
}

void OperatorMetrics::set_queue_depth(const std::string& controller, double depth) {
  queue_depth_->Add({{"controller", controller}}).Set(depth);
}

void OperatorMetrics::set_leader(bool leading) { leader_->Set(leading ? 1 : 0); }

void OperatorMetrics::watch_restart(const std::string& resource) {
  watch_restarts_->Add({{"resource", resource}}).Increment();
}

std::string OperatorMetrics::text() const {
  return prometheus::TextSerializer().Serialize(registry_->Collect());
}

}  // namespace runnel::kube
