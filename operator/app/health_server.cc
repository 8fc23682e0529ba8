#include "operator/app/health_server.h"

#include <httplib.h>

namespace runnel::operator_app {

HealthServer::HealthServer(std::function<bool()> healthy, std::function<bool()> ready)
    : server_(std::make_unique<httplib::Server>()) {
  auto probe = [](std::function<bool()> check) {
    return [check](const httplib::Request&, httplib::Response& res) {
      bool ok = check();
      res.status = ok ? 200 : 500;
      res.set_content(ok ? "ok\n" : "not ok\n", "text/plain");
    };
  };
  server_->Get("/healthz", probe(std::move(healthy)));
  server_->Get("/readyz", probe(std::move(ready)));
}

HealthServer::~HealthServer() { stop(); }

bool HealthServer::start(const std::string& host, int port) {
  port_ = port == 0 ? server_->bind_to_any_port(host) : (server_->bind_to_port(host, port) ? port : -1);
  if (port_ <= 0) return false;
  thread_ = std::thread([this] { server_->listen_after_bind(); });
  return true;
}

void HealthServer::stop() {
  if (thread_.joinable()) {
    server_->stop();
    thread_.join();
  }
}

}  // namespace runnel::operator_app
