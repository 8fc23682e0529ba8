#pragma once

#include <cstdint>
#include <vector>

#include <prometheus/collectable.h>
#include <prometheus/metric_family.h>

#include "broker/metrics/broker_probe.h"

namespace runnel::admin {

// Turns the shards' probes and snapshots into Prometheus metric families at scrape time (on the
// admin thread). Counters and histograms are summed over shards (or labelled by shard where the
// shard is the point: connections, io_uring, heartbeats); per-partition gauges come from the
// latest partition snapshots, at most `max_partition_series` partitions (the cardinality cap,
// runnel.metrics.partition.series.max; partitions beyond it, in (topic, partition) order, are
// counted in runnel_metrics_partitions_omitted instead); the metadata quorum's gauges come from
// shard 0's quorum snapshot, only on a node that runs a quorum member. Every name is in
// docs/metrics.md.
class BrokerCollector final : public prometheus::Collectable {
 public:
  BrokerCollector(const metrics::BrokerProbe& probe, int64_t max_partition_series)
      : probe_(probe), max_partition_series_(max_partition_series) {}

  std::vector<prometheus::MetricFamily> Collect() const override;

 private:
  void collect_requests(std::vector<prometheus::MetricFamily>& out) const;
  void collect_shards(std::vector<prometheus::MetricFamily>& out) const;
  void collect_partitions(std::vector<prometheus::MetricFamily>& out) const;
  void collect_groups(std::vector<prometheus::MetricFamily>& out) const;
  void collect_quorum(std::vector<prometheus::MetricFamily>& out) const;

  const metrics::BrokerProbe& probe_;
  int64_t max_partition_series_;
};

// Helpers shared with the process collector (and tests).
prometheus::MetricFamily make_family(const char* name, const char* help, prometheus::MetricType type);
prometheus::ClientMetric& add_sample(prometheus::MetricFamily& f, std::vector<prometheus::ClientMetric::Label> labels,
                                     double value);
// A histogram sample from per-bucket counts; `scale` converts bucket bounds and the sum into the
// exported unit (1e-9 for nanoseconds -> seconds).
prometheus::ClientMetric& add_histogram(prometheus::MetricFamily& f,
                                        std::vector<prometheus::ClientMetric::Label> labels,
                                        const metrics::HistogramData& data, std::span<const int64_t> bounds,
                                        double scale);

}  // namespace runnel::admin
