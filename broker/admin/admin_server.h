#pragma once

#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "broker/config/broker_config.h"
#include "broker/metrics/broker_probe.h"
#include "broker/model/result.h"

namespace httplib {
class Server;
}
namespace prometheus {
class Registry;
}

namespace runnel::admin {

class BrokerCollector;
struct AdminMetrics;

// The Runnel version this binary was built as (the CMake project version).
std::string build_version();

// The admin HTTP API (runnel.admin.listeners, default http://0.0.0.0:9644), served by
// cpp-httplib on its own threads, never on a ring thread:
//
//   GET  /metrics            Prometheus text exposition (docs/metrics.md)
//   GET  /healthz            liveness: 200 while every serving ring thread beats, else 503
//   GET  /readyz             readiness: 200 once logs are recovered and Kafka listeners accept
//   GET  /v1/broker          identity, listeners, cores, readiness
//   GET  /v1/config          every broker property, effective value and source
//   GET  /v1/topics          hosted partitions with offsets and sizes (from shard snapshots)
//   GET  /v1/groups          consumer groups with committed offsets and lag
//   GET  /v1/cluster         cluster id, the metadata quorum (voters, leader, epoch, high
//                            watermark, lag on the leader), the active controller, brokers
//   GET  /v1/log-level       current level;  PUT|POST /v1/log-level {"level":"debug"} or ?level=
//   POST /v1/debug/stall?shard=N&ms=M   test hook (only with runnel.admin.test.hooks.enable):
//                            blocks shard N's ring thread for M ms at its next heartbeat
//
// Everything it reads comes from metrics::BrokerProbe: single-writer counters, immutable
// snapshots and atomic flags (see broker/metrics/shard_probe.h); it never touches shard state.
class AdminServer {
 public:
  struct Options {
    std::string version = build_version();
    int64_t liveness_timeout_ms = 5000;
    int64_t max_partition_series = 1000;
    bool test_hooks = false;
  };

  AdminServer(const config::BrokerConfig& config, metrics::BrokerProbe& probe, Options options);
  ~AdminServer();
  AdminServer(const AdminServer&) = delete;
  AdminServer& operator=(const AdminServer&) = delete;

  // Binds every admin listener and starts serving, or says what failed. Call after the process
  // blocked its shutdown signals, so that the server threads inherit the mask.
  Result<void, std::string> start();
  void stop();
  // Bound port of listener i (resolves port 0).
  int port(size_t i) const { return i < ports_.size() ? ports_[i] : 0; }

  // The /metrics body (also used by tests).
  std::string render_metrics() const;

 private:
  void install_routes(httplib::Server& server);

  const config::BrokerConfig& config_;
  metrics::BrokerProbe& probe_;
  Options options_;
  std::shared_ptr<prometheus::Registry> registry_;  // the admin server's own metrics
  std::unique_ptr<AdminMetrics> own_;
  std::unique_ptr<BrokerCollector> collector_;
  std::vector<std::unique_ptr<httplib::Server>> servers_;
  std::vector<std::thread> threads_;
  std::vector<int> ports_;
};

}  // namespace runnel::admin
