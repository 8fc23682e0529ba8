#pragma once
// A small in-memory Kubernetes API server for unit tests, on httplib::Server (plain HTTP).
//
// It implements what the operator's client uses: list (with limit/continue), get, create, PUT,
// merge patch (with the metadata.resourceVersion precondition -> 409), server-side apply
// (upsert, /status subresource), delete, and watch streams (newline-delimited JSON, bookmarks,
// timeoutSeconds). Tests drive the failure modes: compaction (a watch from an old RV receives an
// ERROR event with code 410), dropping every open watch, restarting the server on the same port,
// and requiring a bearer token (401 otherwise).

#include <atomic>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <httplib.h>

#include "operator/kube/api.h"
#include "operator/kube/config.h"

namespace runnel::operator_fakes {

using kube::Config;
using kube::Json;

class FakeApiServer {
 public:
  FakeApiServer();
  ~FakeApiServer();

  Config config() const;  // http://127.0.0.1:<port>
  int port() const { return port_; }

  // Writes as another client would (new resourceVersion, watch event). Returns the stored object.
  Json put(const std::string& plural, Json obj);
  bool erase(const std::string& plural, const std::string& ns, const std::string& name);
  std::optional<Json> object(const std::string& plural, const std::string& ns,
                             const std::string& name);
  // Forgets history: watches from an RV older than now get "410 Gone" as an ERROR event.
  void compact();
  // Sends a BOOKMARK with the current RV to every open watch of `plural`.
  void bookmark(const std::string& plural);
  // Closes every open watch stream (as an API-server restart or a load balancer would).
  void drop_watches();
  void stop();   // closes the listener and every connection
  void start();  // listens again on the same port
  void require_token(const std::string& token);
  // Answer every list of `plural` with this status (0 = behave normally).
  void fail_lists(const std::string& plural, int status);

  int count(const std::string& what) const;  // "list:pods", "watch:pods", "401"
  std::vector<std::string> requests() const;  // "PATCH /path?query content-type"
  int64_t resource_version() const;
  int open_watches() const { return open_watches_.load(); }

 private:
  struct Event {
    int64_t rv;
    std::string plural, ns, type;
    Json object;
  };
  struct Target {
    std::string plural, ns, name, sub;
    bool ok = false;
  };
  static Target parse(const std::string& path);
  void routes();
  void handle(const httplib::Request& req, httplib::Response& res);
  void reply(httplib::Response& res, int status, const Json& body);
  void status(httplib::Response& res, int code, const std::string& reason, const std::string& msg);
  void list(const Target& t, const httplib::Request& req, httplib::Response& res);
  void watch(const Target& t, const httplib::Request& req, httplib::Response& res);
  Json store_locked(const std::string& plural, Json obj, const std::string& type);
  static std::string key(const std::string& plural, const std::string& ns, const std::string& name);

  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  int port_ = 0;

  mutable std::mutex mu_;
  std::condition_variable cv_;
  int64_t rv_ = 100;
  int64_t compacted_rv_ = 0;
  int drop_generation_ = 0;
  bool stopping_ = false;
  std::string token_;
  std::map<std::string, Json> objects_;  // plural|ns|name
  std::vector<Event> events_;
  std::map<std::string, int> pending_bookmarks_;  // plural -> generation
  std::map<std::string, int> fail_lists_;
  std::map<std::string, int> counts_;
  std::vector<std::string> requests_;
  std::atomic<int> open_watches_{0};
};

}  // namespace runnel::operator_fakes
