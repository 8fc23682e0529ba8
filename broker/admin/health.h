#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "broker/metrics/broker_probe.h"

namespace runnel::admin {

struct HealthResult {
  bool ok = false;
  std::string detail;  // for people: what is wrong, or what the broker is doing
};

// Liveness (/healthz): the process answers, and every shard whose event loop serves beat within
// `timeout_ns` of `now_ns`. A shard still recovering its logs at start-up has not begun to beat
// and does not count: recovery blocks its ring on purpose, and a liveness probe that killed a
// broker during a long recovery would make it never come up (readiness covers that phase).
HealthResult liveness(const metrics::BrokerProbe& probe, int64_t now_ns, int64_t timeout_ns);

// Readiness (/readyz): cluster metadata loaded, every partition log recovered, every Kafka
// listener accepting, not shutting down, and not every log directory failed. Later: joined the
// cluster.
HealthResult readiness(const metrics::BrokerProbe& probe, const std::vector<std::string>& log_dirs = {});

// The log directories that failed. Kafka takes a directory offline at its first I/O error;
// Runnel's partitions all live in the first log.dirs entry, so that one has failed when any
// partition log failed on an I/O error (ENOSPC is not a failure: those logs resume).
std::vector<std::string> failed_log_dirs(const metrics::BrokerProbe& probe, const std::vector<std::string>& log_dirs);

}  // namespace runnel::admin
