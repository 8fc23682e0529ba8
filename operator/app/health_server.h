#pragma once
// /healthz (liveness: the process serves HTTP and its informer threads are not wedged) and
// /readyz (readiness: every informer cache has synced), on their own port as kubelet probes
// expect. Runs an httplib server on a background thread.

#include <functional>
#include <memory>
#include <string>
#include <thread>

namespace httplib {
class Server;
}

namespace runnel::operator_app {

class HealthServer {
 public:
  HealthServer(std::function<bool()> healthy, std::function<bool()> ready);
  ~HealthServer();
  // Binds and starts serving; port 0 picks a free port. Returns false if the bind failed.
  bool start(const std::string& host, int port);
  int port() const { return port_; }
  void stop();

 private:
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  int port_ = 0;
};

}  // namespace runnel::operator_app
