#pragma once
// `Api` over HTTP(S) with cpp-httplib: the real client the operator runs with.
//
// Thread-safe (more than `Api` requires): requests borrow a keep-alive connection from a small
// pool, so any number of workers may share one instance. Every request carries the current
// bearer token from `TokenSource`; a 401 invalidates it and the request is retried once with a
// freshly read token (service-account tokens rotate). Watches use a dedicated connection each
// (see watch.h) because a watch holds its connection for minutes.
// create() sets SIGPIPE to SIG_IGN when it still has the default action (see http_api.cc).

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "broker/model/result.h"
#include "operator/kube/api.h"
#include "operator/kube/config.h"
#include "operator/kube/token_source.h"

namespace httplib {
class ClientImpl;
}

namespace runnel::kube {

struct WatchEvent;
struct WatchOptions;
class WatchCanceller;

struct HttpOptions {
  std::chrono::seconds connect_timeout{5};
  std::chrono::seconds request_timeout{30};
  std::string field_manager = "runnel-operator";
  std::string user_agent = "runnel-operator";
  size_t list_page_size = 500;  // list follows `continue` until the collection is complete
  size_t max_idle_connections = 4;
};

class HttpApi : public Api {
 public:
  // Fails (with what is wrong) when the server URL or TLS material is unusable.
  static runnel::Result<std::unique_ptr<HttpApi>, std::string> create(const Config& config, HttpOptions options);
  ~HttpApi() override;

  Result get(const ResourceType& type, std::string_view ns, std::string_view name) override;
  Result list(const ResourceType& type, std::string_view ns, const ListOptions& opts) override;
  Result apply(const ResourceType& type, const Json& object) override;
  Result apply_status(const ResourceType& type, const Json& object) override;
  Result merge_patch(const ResourceType& type, std::string_view ns, std::string_view name,
                     const Json& patch) override;
  Result create(const ResourceType& type, const Json& object) override;
  Result remove(const ResourceType& type, std::string_view ns, std::string_view name) override;
  // PUT: a full update, guarded by metadata.resourceVersion when the object carries one.
  Result replace(const ResourceType& type, const Json& object);

  // Streams a watch (watch.cc). Calls `on_event` for every event until the server ends the
  // stream (timeoutSeconds), `on_event` returns false, the canceller fires, or an error. Returns
  // the HTTP status (200 for a stream that ended normally; 0 for transport errors/cancellation).
  Result watch(const ResourceType& type, std::string_view ns, const WatchOptions& opts,
               const std::function<bool(WatchEvent&&)>& on_event, WatchCanceller* canceller);

  const Config& config() const { return config_; }

  // A raw request; `path` includes the query string. Used by the verbs above.
  Result request(const std::string& method, const std::string& path, const std::string& body = {},
                 const std::string& content_type = {});

 private:
  HttpApi(Config config, HttpOptions options);
  using ClientOrError = runnel::Result<std::unique_ptr<httplib::ClientImpl>, std::string>;
  ClientOrError new_client(std::chrono::seconds read_timeout) const;
  ClientOrError borrow();
  void give_back(std::unique_ptr<httplib::ClientImpl> client);
  Result apply_to(const ResourceType& type, const Json& object, std::string_view subresource);

  Config config_;
  HttpOptions options_;
  std::string scheme_host_port_;
  TokenSource tokens_;
  std::mutex pool_mu_;
  std::vector<std::unique_ptr<httplib::ClientImpl>> idle_;
};

// Decodes an HTTP response into a Result (metav1.Status reason/message for errors).
Result decode_response(int status, const std::string& body);

}  // namespace runnel::kube
