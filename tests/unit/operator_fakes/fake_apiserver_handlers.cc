// Request handling of FakeApiServer: one function per verb family.
#include "tests/unit/operator_fakes/fake_apiserver.h"

namespace runnel::operator_fakes {

void FakeApiServer::handle(const httplib::Request& req, httplib::Response& res) {
  Target t = parse(req.path);
  std::unique_lock lock(mu_);
  std::string query;
  for (const auto& [k, v] : req.params) query += (query.empty() ? "?" : "&") + k + "=" + v;
  requests_.push_back(req.method + " " + req.path + query + " " +
                      req.get_header_value("Content-Type"));
  if (!token_.empty() && req.get_header_value("Authorization") != "Bearer " + token_) {
    ++counts_["401"];
    lock.unlock();
    return status(res, 401, "Unauthorized", "Unauthorized");
  }
  lock.unlock();
  if (!t.ok) return status(res, 404, "NotFound", "no route " + req.path);
  std::string k = key(t.plural, t.ns, t.name);
  Json body = req.body.empty() ? Json::object() : Json::parse(req.body, nullptr, false);
  if (body.is_discarded()) return status(res, 400, "BadRequest", "invalid JSON");

  if (req.method == "GET" && t.name.empty()) {
    if (req.get_param_value("watch") == "1") return watch(t, req, res);
    return list(t, req, res);
  }
  lock.lock();
  auto it = objects_.find(k);
  bool exists = it != objects_.end();
  if (req.method == "GET") {
    if (!exists) return status(res, 404, "NotFound", t.plural + " \"" + t.name + "\" not found");
    return reply(res, 200, it->second);
  }
  if (req.method == "POST") {
    std::string name = body["metadata"].value("name", "");
    if (objects_.count(key(t.plural, t.ns, name)))
      return status(res, 409, "AlreadyExists", t.plural + " \"" + name + "\" already exists");
    body["metadata"]["namespace"] = t.ns;
    return reply(res, 201, store_locked(t.plural, body, "ADDED"));
  }
  if (req.method == "DELETE") {
    if (!exists) return status(res, 404, "NotFound", t.plural + " \"" + t.name + "\" not found");
    Json obj = it->second;
    lock.unlock();
    erase(t.plural, t.ns, t.name);
    return reply(res, 200, obj);
  }
  std::string ct = req.get_header_value("Content-Type");
  std::string want_rv = body.contains("metadata") && body["metadata"].is_object()
                            ? body["metadata"].value("resourceVersion", "")
                            : "";
  if (ct == "application/apply-patch+yaml") {
    if (req.get_param_value("fieldManager").empty())
      return status(res, 422, "Invalid", "fieldManager is required for apply");
    Json obj = exists ? it->second : Json::object();
    if (t.sub == "status") {
      if (!exists) return status(res, 404, "NotFound", "not found");
      obj["status"] = body.value("status", Json::object());
    } else {
      Json status_part = obj.value("status", Json());
      obj = body;
      if (!status_part.is_null()) obj["status"] = status_part;
      obj["metadata"]["namespace"] = t.ns;
      if (exists) obj["metadata"]["uid"] = it->second["metadata"]["uid"];
    }
    return reply(res, exists ? 200 : 201, store_locked(t.plural, obj, exists ? "MODIFIED" : "ADDED"));
  }
  if (!exists) return status(res, 404, "NotFound", t.plural + " \"" + t.name + "\" not found");
  if (!want_rv.empty() && want_rv != it->second["metadata"].value("resourceVersion", ""))
    return status(res, 409, "Conflict",
                  "Operation cannot be fulfilled: the object has been modified");
  Json obj = it->second;
  if (req.method == "PUT") {
    obj = body;
    obj["metadata"]["uid"] = it->second["metadata"]["uid"];
  } else if (ct == "application/merge-patch+json") {
    if (body.contains("metadata")) body["metadata"].erase("resourceVersion");
    obj.merge_patch(body);
  } else {
    return status(res, 415, "UnsupportedMediaType", ct);
  }
  return reply(res, 200, store_locked(t.plural, obj, "MODIFIED"));
}

void FakeApiServer::list(const Target& t, const httplib::Request& req, httplib::Response& res) {
  std::lock_guard lock(mu_);
  ++counts_["list:" + t.plural];
  if (int code = fail_lists_[t.plural]) {
    res.status = code;
    res.set_content(R"({"kind":"Status","reason":"InternalError","message":"injected"})",
                    "application/json");
    return;
  }
  size_t limit = req.has_param("limit") ? std::stoul(req.get_param_value("limit")) : 0;
  std::string after = req.get_param_value("continue");
  std::string prefix = t.plural + "|" + (t.ns.empty() ? "" : t.ns + "|");
  Json items = Json::array();
  std::string next;
  for (auto it = objects_.lower_bound(prefix); it != objects_.end(); ++it) {
    if (it->first.compare(0, prefix.size(), prefix) != 0) break;
    if (!after.empty() && it->first <= after) continue;
    if (limit && items.size() == limit) {
      next = std::prev(it)->first;
      break;
    }
    Json item = it->second;
    item.erase("kind");  // real list items omit kind and apiVersion
    item.erase("apiVersion");
    items.push_back(std::move(item));
  }
  Json meta = {{"resourceVersion", std::to_string(rv_)}};
  if (!next.empty()) meta["continue"] = next;
  reply(res, 200, {{"kind", "List"}, {"apiVersion", "v1"}, {"metadata", meta}, {"items", items}});
}

void FakeApiServer::watch(const Target& t, const httplib::Request& req, httplib::Response& res) {
  std::string from_text = req.get_param_value("resourceVersion");
  int64_t from = from_text.empty() ? 0 : std::stoll(from_text);
  int timeout_s = req.has_param("timeoutSeconds") ? std::stoi(req.get_param_value("timeoutSeconds"))
                                                  : 1800;
  bool bookmarks = req.get_param_value("allowWatchBookmarks") == "true";
  int generation;
  int seen_bookmarks;
  {
    std::lock_guard lock(mu_);
    ++counts_["watch:" + t.plural];
    generation = drop_generation_;
    seen_bookmarks = pending_bookmarks_[t.plural];
  }
  struct State {
    int64_t rv;
    bool gone;
    std::chrono::steady_clock::time_point deadline;
  };
  auto st = std::make_shared<State>(State{from, false, std::chrono::steady_clock::now() +
                                                           std::chrono::seconds(timeout_s)});
  ++open_watches_;
  res.set_chunked_content_provider(
      "application/json",
      [this, t, st, generation, seen_bookmarks, bookmarks](size_t, httplib::DataSink& sink) mutable {
        std::unique_lock lock(mu_);
        std::string out;
        if (st->rv < compacted_rv_ && !st->gone) {
          st->gone = true;
          out = Json({{"type", "ERROR"},
                      {"object",
                       {{"kind", "Status"}, {"status", "Failure"}, {"reason", "Expired"},
                        {"message", "too old resource version"}, {"code", 410}}}})
                    .dump() + "\n";
          lock.unlock();
          sink.write(out.data(), out.size());
          sink.done();
          return true;
        }
        for (const Event& e : events_) {
          if (e.rv <= st->rv || e.plural != t.plural || (!t.ns.empty() && e.ns != t.ns)) continue;
          out += Json({{"type", e.type}, {"object", e.object}}).dump() + "\n";
          st->rv = e.rv;
        }
        if (bookmarks && pending_bookmarks_[t.plural] != seen_bookmarks) {
          seen_bookmarks = pending_bookmarks_[t.plural];
          out += Json({{"type", "BOOKMARK"},
                       {"object", {{"metadata", {{"resourceVersion", std::to_string(rv_)}}}}}})
                     .dump() + "\n";
        }
        if (!out.empty()) {
          lock.unlock();
          return sink.write(out.data(), out.size());
        }
        if (stopping_ || drop_generation_ != generation) return false;  // abort the connection
        if (std::chrono::steady_clock::now() >= st->deadline) {
          lock.unlock();
          sink.done();
          return true;
        }
        cv_.wait_for(lock, std::chrono::milliseconds(50));
        return true;
      },
      [this](bool) { --open_watches_; });
}

}  // namespace runnel::operator_fakes
