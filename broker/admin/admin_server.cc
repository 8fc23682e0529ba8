#include "broker/admin/admin_server.h"

#include <httplib.h>
#include <prometheus/counter.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>

#include "broker/admin/collector.h"
#include "broker/admin/health.h"
#include "broker/admin/json_api.h"
#include "broker/admin/log_dir_stats.h"
#include "broker/admin/process_stats.h"
#include "broker/log/log.h"
#include "broker/metrics/clock.h"

namespace runnel::admin {

using nlohmann::json;

// Admin traffic is rare, so prometheus-cpp's own (atomic, mutex-on-lookup) metrics are fine here.
struct AdminMetrics {
  explicit AdminMetrics(prometheus::Registry& r)
      : http(prometheus::BuildCounter()
                 .Name("runnel_admin_http_requests_total")
                 .Help("Requests served by the admin HTTP API, by route")
                 .Register(r)) {}
  prometheus::Family<prometheus::Counter>& http;
};

namespace {

constexpr const char* kJson = "application/json";
constexpr int kAdminThreads = 2;

void send_json(httplib::Response& res, int status, const json& body) {
  res.status = status;
  res.set_content(body.dump(2) + "\n", kJson);
}

}  // namespace

#ifndef RUNNEL_VERSION
#define RUNNEL_VERSION "0.0.0"
#endif
std::string build_version() { return RUNNEL_VERSION; }

AdminServer::AdminServer(const config::BrokerConfig& config, metrics::BrokerProbe& probe, Options options)
    : config_(config), probe_(probe), options_(std::move(options)),
      registry_(std::make_shared<prometheus::Registry>()), own_(std::make_unique<AdminMetrics>(*registry_)),
      collector_(std::make_unique<BrokerCollector>(probe, options_.max_partition_series)) {}

AdminServer::~AdminServer() { stop(); }

std::string AdminServer::render_metrics() const {
  std::vector<prometheus::MetricFamily> families = collector_->Collect();
  for (auto& f : process_families(options_.version)) families.push_back(std::move(f));
  for (auto& f : log_dir_families(config_.log_dirs, failed_log_dirs(probe_, config_.log_dirs))) {
    families.push_back(std::move(f));
  }
  for (auto& f : registry_->Collect()) families.push_back(std::move(f));
  return prometheus::TextSerializer().Serialize(families);
}

void AdminServer::install_routes(httplib::Server& server) {
  auto count = [this](const char* route) { own_->http.Add({{"route", route}}).Increment(); };

  server.Get("/metrics", [this, count](const httplib::Request&, httplib::Response& res) {
    count("/metrics");
    res.set_content(render_metrics(), "text/plain; version=0.0.4; charset=utf-8");
  });
  server.Get("/healthz", [this, count](const httplib::Request&, httplib::Response& res) {
    count("/healthz");
    HealthResult h = liveness(probe_, metrics::mono_ns(), options_.liveness_timeout_ms * 1'000'000);
    send_json(res, h.ok ? 200 : 503, {{"status", h.ok ? "ok" : "failing"}, {"detail", h.detail}});
  });
  server.Get("/readyz", [this, count](const httplib::Request&, httplib::Response& res) {
    count("/readyz");
    HealthResult r = readiness(probe_, config_.log_dirs);
    send_json(res, r.ok ? 200 : 503, {{"status", r.ok ? "ready" : "not ready"}, {"detail", r.detail}});
  });
  server.Get("/v1/broker", [this, count](const httplib::Request&, httplib::Response& res) {
    count("/v1/broker");
    send_json(res, 200, broker_json(config_, probe_, options_.version));
  });
  server.Get("/v1/config", [this, count](const httplib::Request&, httplib::Response& res) {
    count("/v1/config");
    send_json(res, 200, config_json(config_));
  });
  server.Get("/v1/topics", [this, count](const httplib::Request&, httplib::Response& res) {
    count("/v1/topics");
    send_json(res, 200, topics_json(PartitionView::gather(probe_)));
  });
  server.Get("/v1/groups", [this, count](const httplib::Request&, httplib::Response& res) {
    count("/v1/groups");
    PartitionView view = PartitionView::gather(probe_);
    send_json(res, 200, groups_json(gather_groups(probe_, view)));
  });
  server.Get("/v1/cluster", [this, count](const httplib::Request&, httplib::Response& res) {
    count("/v1/cluster");
    send_json(res, 200, cluster_json(config_, probe_));
  });
  server.Get("/v1/log-level", [count](const httplib::Request&, httplib::Response& res) {
    count("/v1/log-level");
    send_json(res, 200, {{"level", level_name(log::level())}});
  });
  auto set_level = [count](const httplib::Request& req, httplib::Response& res) {
    count("/v1/log-level");
    std::string name = req.get_param_value("level");
    if (name.empty() && !req.body.empty()) {
      json body = json::parse(req.body, nullptr, false);
      if (body.is_object() && body.contains("level") && body["level"].is_string()) name = body["level"];
    }
    auto level = parse_level(name);
    if (!level) {
      send_json(res, 400, {{"error", "level must be one of debug, info, warn, error"}});
      return;
    }
    log::Level old = log::level();
    log::set_level(*level);
    RUNNEL_LOG(info, "log level changed from %s to %s through the admin API", level_name(old), level_name(*level));
    send_json(res, 200, {{"level", level_name(*level)}, {"previous", level_name(old)}});
  };
  server.Put("/v1/log-level", set_level);
  server.Post("/v1/log-level", set_level);
  server.Post("/v1/debug/stall", [this, count](const httplib::Request& req, httplib::Response& res) {
    count("/v1/debug/stall");
    if (!options_.test_hooks) {
      send_json(res, 404, {{"error", "test hooks are disabled (runnel.admin.test.hooks.enable)"}});
      return;
    }
    int shard = std::atoi(req.get_param_value("shard").c_str());
    long ms = std::atol(req.get_param_value("ms").c_str());
    if (shard < 0 || shard >= probe_.shard_count() || ms <= 0 || ms > 600'000) {
      send_json(res, 400, {{"error", "need shard in [0, cores) and ms in (0, 600000]"}});
      return;
    }
    RUNNEL_LOG(warn, "test hook: stalling shard %d for %ld ms", shard, ms);
    probe_.shard(shard).request_stall_ms(ms);
    send_json(res, 200, {{"shard", shard}, {"ms", ms}});
  });
}

Result<void, std::string> AdminServer::start() {
  for (const config::Endpoint& e : config_.admin_listeners) {
    auto server = std::make_unique<httplib::Server>();
    server->new_task_queue = [] { return new httplib::ThreadPool(kAdminThreads); };
    install_routes(*server);
    const std::string host = e.host.empty() ? "0.0.0.0" : e.host;
    int port = e.port;
    if (port == 0) {
      port = server->bind_to_any_port(host);
      if (port < 0) return Unexpected("cannot bind admin listener " + host + ":0");
    } else if (!server->bind_to_port(host, port)) {
      return Unexpected("cannot bind admin listener " + host + ":" + std::to_string(port));
    }
    ports_.push_back(port);
    httplib::Server* raw = server.get();
    servers_.push_back(std::move(server));
    threads_.emplace_back([raw] { raw->listen_after_bind(); });
    RUNNEL_LOG(info, "admin API listening on http://%s:%d", host.c_str(), port);
  }
  return {};
}

void AdminServer::stop() {
  for (auto& s : servers_) s->stop();
  for (auto& t : threads_) t.join();
  threads_.clear();
  servers_.clear();
}

}  // namespace runnel::admin
