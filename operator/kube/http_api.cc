#include "operator/kube/http_api.h"

#include <httplib.h>
#include <signal.h>

#include "operator/kube/paths.h"
#include "operator/kube/tls.h"

namespace runnel::kube {

Result decode_response(int status, const std::string& body) {
  Result r;
  r.status = status;
  if (!body.empty()) {
    r.body = Json::parse(body, nullptr, /*allow_exceptions=*/false);
    if (r.body.is_discarded()) r.body = nullptr;
  }
  if (!r.ok()) {
    if (r.body.is_object() && r.body.value("kind", "") == "Status") {
      r.reason = r.body.value("reason", "");
      r.message = r.body.value("message", "");
    } else {
      r.message = body.substr(0, 512);
    }
    if (r.message.empty()) r.message = "HTTP " + std::to_string(status);
  }
  return r;
}

runnel::Result<std::unique_ptr<HttpApi>, std::string> HttpApi::create(const Config& config, HttpOptions options) {
  // OpenSSL writes to the socket with write(), not send(MSG_NOSIGNAL): writing to a connection
  // the API server has closed (a restart, an idle keep-alive timeout) would raise SIGPIPE and
  // kill the process. Ignore it unless the program installed its own handler.
  struct sigaction current {};
  if (sigaction(SIGPIPE, nullptr, &current) == 0 && current.sa_handler == SIG_DFL)
    signal(SIGPIPE, SIG_IGN);
  std::unique_ptr<HttpApi> api(new HttpApi(config, std::move(options)));
  ClientOrError probe = api->new_client(api->options_.request_timeout);  // validates URL and TLS
  if (!probe) return Unexpected(std::move(probe).error());
  api->give_back(std::move(probe).value());
  return api;
}

HttpApi::HttpApi(Config config, HttpOptions options)
    : config_(std::move(config)),
      options_(std::move(options)),
      scheme_host_port_(config_.server),
      tokens_(config_.token, config_.token_file) {}

HttpApi::~HttpApi() = default;

HttpApi::ClientOrError HttpApi::new_client(std::chrono::seconds read_timeout) const {
  const std::string& url = scheme_host_port_;
  bool tls = url.rfind("https://", 0) == 0;
  if (!tls && url.rfind("http://", 0) != 0) {
    return Unexpected("server URL must start with http:// or https://: " + url);
  }
  std::string rest = url.substr(tls ? 8 : 7);
  rest = rest.substr(0, rest.find('/'));  // a path prefix (rancher-style proxies) is unsupported
  std::string host = rest;
  int port = tls ? 443 : 80;
  size_t colon = rest.rfind(':');
  size_t bracket = rest.rfind(']');
  if (colon != std::string::npos && (bracket == std::string::npos || colon > bracket)) {
    host = rest.substr(0, colon);
    port = std::atoi(rest.c_str() + colon + 1);
  }
  if (host.size() > 2 && host.front() == '[') host = host.substr(1, host.size() - 2);
  std::unique_ptr<httplib::ClientImpl> client;
  if (tls) {
    auto ssl = std::make_unique<httplib::SSLClient>(host, port);
    if (auto configured = configure_tls(*ssl, config_); !configured) {
      return Unexpected(std::move(configured).error());
    }
    client = std::move(ssl);
  } else {
    client = std::make_unique<httplib::ClientImpl>(host, port);
  }
  client->set_connection_timeout(options_.connect_timeout);
  client->set_read_timeout(read_timeout);
  client->set_write_timeout(options_.request_timeout);
  client->set_keep_alive(true);
  return client;
}

HttpApi::ClientOrError HttpApi::borrow() {
  {
    std::lock_guard lock(pool_mu_);
    if (!idle_.empty()) {
      auto c = std::move(idle_.back());
      idle_.pop_back();
      return c;
    }
  }
  return new_client(options_.request_timeout);
}

void HttpApi::give_back(std::unique_ptr<httplib::ClientImpl> client) {
  std::lock_guard lock(pool_mu_);
  if (idle_.size() < options_.max_idle_connections) idle_.push_back(std::move(client));
}

Result HttpApi::request(const std::string& method, const std::string& path,
                        const std::string& body, const std::string& content_type) {
  for (int attempt = 0;; ++attempt) {
    ClientOrError borrowed = borrow();
    if (!borrowed) return {0, nullptr, "", borrowed.error()};
    std::unique_ptr<httplib::ClientImpl> client = std::move(borrowed).value();
    httplib::Headers headers{{"Accept", "application/json"},
                             {"User-Agent", options_.user_agent}};
    std::string token = tokens_.token();
    if (!token.empty()) headers.emplace("Authorization", "Bearer " + token);
    httplib::Result res{nullptr, httplib::Error::Unknown};
    if (method == "GET") res = client->Get(path, headers);
    else if (method == "POST") res = client->Post(path, headers, body, content_type);
    else if (method == "PUT") res = client->Put(path, headers, body, content_type);
    else if (method == "PATCH") res = client->Patch(path, headers, body, content_type);
    else if (method == "DELETE") res = client->Delete(path, headers, body, content_type);
    else return {0, nullptr, "", "unsupported method " + method};
    if (!res) {
      // After an API-server restart every pooled keep-alive connection is dead: drop them all,
      // and retry a read once on a fresh connection rather than fail the caller.
      std::lock_guard lock(pool_mu_);
      idle_.clear();
      if (method == "GET" && attempt == 0) continue;
      return {0, nullptr, "", method + " " + path + ": " + httplib::to_string(res.error())};
    }
    give_back(std::move(client));
    if (res->status == 401 && attempt == 0 && tokens_.invalidate()) continue;
    return decode_response(res->status, res->body);
  }
}

Result HttpApi::get(const ResourceType& type, std::string_view ns, std::string_view name) {
  return request("GET", object_path(type, ns, name));
}

Result HttpApi::list(const ResourceType& type, std::string_view ns, const ListOptions& opts) {
  Json items = Json::array();
  std::string cont;
  for (;;) {
    std::string path = collection_path(type, ns) +
                       query_string({{"labelSelector", opts.label_selector},
                                     {"fieldSelector", opts.field_selector},
                                     {"limit", std::to_string(options_.list_page_size)},
                                     {"continue", cont}});
    Result r = request("GET", path);
    if (!r.ok()) return r;
    if (r.body.contains("items") && r.body["items"].is_array())
      for (auto& item : r.body["items"]) items.push_back(std::move(item));
    cont = r.body.contains("metadata") ? r.body["metadata"].value("continue", "") : "";
    if (cont.empty()) {
      // List items omit kind/apiVersion; fill them in so every object looks the same to callers.
      for (auto& item : items) {
        if (!item.contains("kind")) item["kind"] = type.kind;
        if (!item.contains("apiVersion")) item["apiVersion"] = type.api_version();
      }
      r.body["items"] = std::move(items);
      if (r.body.contains("metadata")) r.body["metadata"].erase("continue");
      return r;
    }
  }
}

Result HttpApi::apply_to(const ResourceType& type, const Json& object,
                         std::string_view subresource) {
  const Json& meta = object.value("metadata", Json::object());
  std::string name = meta.value("name", "");
  if (name.empty()) return {0, nullptr, "Invalid", "apply: metadata.name is required"};
  Json body = object;
  body["apiVersion"] = type.api_version();
  body["kind"] = type.kind;
  std::string path = object_path(type, meta.value("namespace", ""), name, subresource) +
                     query_string({{"fieldManager", options_.field_manager}, {"force", "true"}});
  return request("PATCH", path, body.dump(), "application/apply-patch+yaml");
}

Result HttpApi::apply(const ResourceType& type, const Json& object) {
  return apply_to(type, object, "");
}

Result HttpApi::apply_status(const ResourceType& type, const Json& object) {
  return apply_to(type, object, "status");
}

Result HttpApi::merge_patch(const ResourceType& type, std::string_view ns, std::string_view name,
                            const Json& patch) {
  return request("PATCH", object_path(type, ns, name), patch.dump(),
                 "application/merge-patch+json");
}

Result HttpApi::create(const ResourceType& type, const Json& object) {
  Json body = object;
  body["apiVersion"] = type.api_version();
  body["kind"] = type.kind;
  std::string ns = object.value("metadata", Json::object()).value("namespace", "");
  return request("POST", collection_path(type, ns), body.dump(), "application/json");
}

Result HttpApi::replace(const ResourceType& type, const Json& object) {
  const Json& meta = object.value("metadata", Json::object());
  Json body = object;
  body["apiVersion"] = type.api_version();
  body["kind"] = type.kind;
  return request("PUT", object_path(type, meta.value("namespace", ""), meta.value("name", "")),
                 body.dump(), "application/json");
}

Result HttpApi::remove(const ResourceType& type, std::string_view ns, std::string_view name) {
  // Background propagation: owned objects are garbage-collected by the server.
  return request("DELETE", object_path(type, ns, name),
                 R"({"kind":"DeleteOptions","apiVersion":"v1","propagationPolicy":"Background"})",
                 "application/json");
}

}  // namespace runnel::kube
