#include "tests/unit/operator_fakes/fake_apiserver.h"

#include <sstream>

namespace runnel::operator_fakes {

std::string FakeApiServer::key(const std::string& plural, const std::string& ns,
                               const std::string& name) {
  return plural + "|" + ns + "|" + name;
}

FakeApiServer::FakeApiServer() { start(); }

FakeApiServer::~FakeApiServer() { stop(); }

void FakeApiServer::start() {
  {
    std::lock_guard lock(mu_);
    stopping_ = false;
  }
  server_ = std::make_unique<httplib::Server>();
  server_->new_task_queue = [] { return new httplib::ThreadPool(32); };
  routes();
  if (port_ == 0) {
    port_ = server_->bind_to_any_port("127.0.0.1");
  } else {
    // The old socket may linger briefly; retry the bind.
    for (int i = 0; i < 100 && !server_->bind_to_port("127.0.0.1", port_); ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  thread_ = std::thread([this] { server_->listen_after_bind(); });
  while (!server_->is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
}

void FakeApiServer::stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (server_) server_->stop();
  if (thread_.joinable()) thread_.join();
  server_.reset();
}

Config FakeApiServer::config() const {
  Config c;
  c.server = "http://127.0.0.1:" + std::to_string(port_);
  return c;
}

void FakeApiServer::routes() {
  auto h = [this](const httplib::Request& req, httplib::Response& res) { handle(req, res); };
  server_->Get(".*", h);
  server_->Post(".*", h);
  server_->Put(".*", h);
  server_->Patch(".*", h);
  server_->Delete(".*", h);
}

FakeApiServer::Target FakeApiServer::parse(const std::string& path) {
  std::vector<std::string> seg;
  std::stringstream ss(path);
  for (std::string s; std::getline(ss, s, '/');)
    if (!s.empty()) seg.push_back(s);
  Target t;
  size_t i = 0;
  if (seg.size() >= 3 && seg[0] == "api") i = 2;
  else if (seg.size() >= 4 && seg[0] == "apis") i = 3;
  else return t;
  if (seg.size() >= i + 3 && seg[i] == "namespaces") {
    t.ns = seg[i + 1];
    i += 2;
  }
  t.plural = seg[i];
  if (seg.size() > i + 1) t.name = seg[i + 1];
  if (seg.size() > i + 2) t.sub = seg[i + 2];
  t.ok = seg.size() <= i + 3;
  return t;
}

void FakeApiServer::reply(httplib::Response& res, int code, const Json& body) {
  res.status = code;
  res.set_content(body.dump(), "application/json");
}

void FakeApiServer::status(httplib::Response& res, int code, const std::string& reason,
                           const std::string& msg) {
  reply(res, code,
        {{"kind", "Status"}, {"apiVersion", "v1"}, {"status", "Failure"}, {"reason", reason},
         {"message", msg}, {"code", code}});
}

Json FakeApiServer::store_locked(const std::string& plural, Json obj, const std::string& type) {
  obj["metadata"]["resourceVersion"] = std::to_string(++rv_);
  if (!obj["metadata"].contains("uid"))
    obj["metadata"]["uid"] = "uid-" + std::to_string(rv_);
  const Json& m = obj["metadata"];
  objects_[key(plural, m.value("namespace", ""), m.value("name", ""))] = obj;
  events_.push_back({rv_, plural, m.value("namespace", ""), type, obj});
  cv_.notify_all();
  return obj;
}

Json FakeApiServer::put(const std::string& plural, Json obj) {
  std::lock_guard lock(mu_);
  const Json& m = obj["metadata"];
  bool exists = objects_.count(key(plural, m.value("namespace", ""), m.value("name", "")));
  return store_locked(plural, std::move(obj), exists ? "MODIFIED" : "ADDED");
}

bool FakeApiServer::erase(const std::string& plural, const std::string& ns,
                          const std::string& name) {
  std::lock_guard lock(mu_);
  auto it = objects_.find(key(plural, ns, name));
  if (it == objects_.end()) return false;
  Json obj = it->second;
  objects_.erase(it);
  obj["metadata"]["resourceVersion"] = std::to_string(++rv_);
  events_.push_back({rv_, plural, ns, "DELETED", obj});
  cv_.notify_all();
  return true;
}

std::optional<Json> FakeApiServer::object(const std::string& plural, const std::string& ns,
                                          const std::string& name) {
  std::lock_guard lock(mu_);
  auto it = objects_.find(key(plural, ns, name));
  if (it == objects_.end()) return std::nullopt;
  return it->second;
}

void FakeApiServer::compact() {
  std::lock_guard lock(mu_);
  compacted_rv_ = rv_;
  events_.clear();
  ++drop_generation_;  // real servers also end watches that fall behind compaction
  cv_.notify_all();
}

void FakeApiServer::bookmark(const std::string& plural) {
  std::lock_guard lock(mu_);
  ++pending_bookmarks_[plural];
  cv_.notify_all();
}

void FakeApiServer::drop_watches() {
  std::lock_guard lock(mu_);
  ++drop_generation_;
  cv_.notify_all();
}

void FakeApiServer::require_token(const std::string& token) {
  std::lock_guard lock(mu_);
  token_ = token;
}

void FakeApiServer::fail_lists(const std::string& plural, int code) {
  std::lock_guard lock(mu_);
  fail_lists_[plural] = code;
}

int FakeApiServer::count(const std::string& what) const {
  std::lock_guard lock(mu_);
  auto it = counts_.find(what);
  return it == counts_.end() ? 0 : it->second;
}

std::vector<std::string> FakeApiServer::requests() const {
  std::lock_guard lock(mu_);
  return requests_;
}

int64_t FakeApiServer::resource_version() const {
  std::lock_guard lock(mu_);
  return rv_;
}

}  // namespace runnel::operator_fakes
