#include "operator/kube/informer.h"

#include <map>
#include <random>

#include "broker/log/log.h"
#include "operator/kube/http_api.h"

namespace runnel::kube {
namespace {

int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

std::string rv_of(const Json& obj) {
  if (!obj.is_object() || !obj.contains("metadata")) return {};
  return obj["metadata"].value("resourceVersion", "");
}

}  // namespace

Informer::Informer(HttpApi& api, ResourceType type, std::string ns, InformerOptions options)
    : api_(api), type_(std::move(type)), ns_(std::move(ns)), options_(std::move(options)) {}

Informer::~Informer() { stop(); }

void Informer::add_handler(InformerHandler handler) { handlers_.push_back(std::move(handler)); }

void Informer::start() {
  touch();
  thread_ = std::thread([this] { run(); });
}

void Informer::stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  canceller_.cancel();
  if (thread_.joinable()) thread_.join();
}

std::string Informer::resource_version() const {
  std::lock_guard lock(mu_);
  return rv_;
}

bool Informer::healthy() const {
  // A healthy thread hears from the server at least once per watch timeout (2t at most) or is
  // sleeping in a bounded backoff.
  auto limit = std::chrono::seconds(2 * options_.watch_timeout_seconds + 60) +
               options_.backoff_max;
  return std::chrono::nanoseconds(now_ns() - progress_ns_.load()) < limit;
}

void Informer::touch() { progress_ns_ = now_ns(); }

void Informer::restarted() {
  ++restarts_;
  if (options_.on_watch_restart) options_.on_watch_restart();
}

void Informer::sleep_for(std::chrono::milliseconds d) {
  std::unique_lock lock(mu_);
  cv_.wait_for(lock, d, [this] { return stopping_; });
}

void Informer::run() {
  bool need_relist = true;
  auto backoff = options_.backoff_initial;
  auto fail = [&] {
    sleep_for(backoff);
    backoff = std::min(backoff * 2, options_.backoff_max);
  };
  for (;;) {
    {
      std::lock_guard lock(mu_);
      if (stopping_) return;
    }
    touch();
    if (need_relist) {
      if (!relist()) {
        fail();
        continue;
      }
      need_relist = false;
    }
    if (watch_once(&need_relist)) {
      backoff = options_.backoff_initial;
      continue;
    }
    {
      std::lock_guard lock(mu_);
      if (stopping_) return;
    }
    restarted();
    if (!need_relist) fail();  // 410 relists at once; anything else waits first
  }
}

bool Informer::relist() {
  Result r = api_.list(type_, ns_, options_.selectors);
  if (!r.ok()) {
    RUNNEL_LOG(warn, "informer %s: list failed: %d %s", type_.plural.c_str(), r.status,
               r.message.c_str());
    return false;
  }
  ++lists_;
  std::vector<Json> items;
  if (r.body.contains("items"))
    for (auto& i : r.body["items"]) items.push_back(std::move(i));
  std::map<std::string, Json> before;
  for (auto& o : store_.list("")) before.emplace(object_key(o), std::move(o));
  std::vector<Json> gone = store_.replace_all(items);
  {
    std::lock_guard lock(mu_);
    rv_ = r.body.value("metadata", Json::object()).value("resourceVersion", "");
  }
  for (const Json& o : gone)
    for (auto& h : handlers_)
      if (h.on_delete) h.on_delete(o);
  for (const Json& o : items) {
    auto it = before.find(object_key(o));
    for (auto& h : handlers_) {
      if (it == before.end()) {
        if (h.on_add) h.on_add(o);
      } else if (rv_of(it->second) != rv_of(o)) {
        if (h.on_update) h.on_update(it->second, o);
      }
    }
  }
  synced_ = true;
  touch();
  return true;
}

void Informer::apply(const WatchEvent& ev, bool* need_relist) {
  touch();
  if (ev.type == WatchEventType::kError) {
    int code = ev.object.value("code", 0);
    RUNNEL_LOG(warn, "informer %s: watch ERROR %d %s", type_.plural.c_str(), code,
               ev.object.value("message", "").c_str());
    if (code == 410) *need_relist = true;
    return;
  }
  std::string rv = rv_of(ev.object);
  if (ev.type == WatchEventType::kBookmark) {
    std::lock_guard lock(mu_);
    if (!rv.empty()) rv_ = rv;
    return;
  }
  if (ev.type == WatchEventType::kAdded || ev.type == WatchEventType::kModified) {
    std::optional<Json> old = store_.upsert(ev.object);
    for (auto& h : handlers_) {
      if (old && h.on_update) h.on_update(*old, ev.object);
      if (!old && h.on_add) h.on_add(ev.object);
    }
  } else if (ev.type == WatchEventType::kDeleted) {
    store_.remove(ev.object);
    for (auto& h : handlers_)
      if (h.on_delete) h.on_delete(ev.object);
  }
  std::lock_guard lock(mu_);
  if (!rv.empty()) rv_ = rv;
}

bool Informer::watch_once(bool* need_relist) {
  static thread_local std::mt19937 rng{std::random_device{}()};
  WatchOptions opts;
  opts.resource_version = resource_version();
  opts.timeout_seconds = options_.watch_timeout_seconds +
                         static_cast<int>(rng() % static_cast<unsigned>(
                                                      std::max(1, options_.watch_timeout_seconds)));
  opts.selectors = options_.selectors;
  bool error_event = false;
  Result r = api_.watch(
      type_, ns_, opts,
      [&](WatchEvent&& ev) {
        apply(ev, need_relist);
        if (ev.type == WatchEventType::kError) {
          error_event = true;
          return false;  // the server ends the stream after an ERROR anyway
        }
        return true;
      },
      &canceller_);
  touch();
  if (r.gone()) *need_relist = true;
  if (r.ok() && !error_event) return true;
  if (!r.ok() && !canceller_.cancelled())
    RUNNEL_LOG(info, "informer %s: watch ended: %d %s", type_.plural.c_str(), r.status,
               r.message.c_str());
  return false;
}

}  // namespace runnel::kube
