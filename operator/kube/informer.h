#pragma once
// An informer keeps a local cache of one resource type (optionally one namespace) and tells
// handlers what changed, the way client-go's reflector + shared informer do:
//
//   list (records the collection's resourceVersion) -> watch from that RV -> apply each event to
//   the store and call handlers -> when the stream ends normally, watch again from the last RV
//   seen (events and BOOKMARKs advance it).
//
// Failure handling, which is what lets the operator survive API-server restarts:
//   * 410 Gone (as the HTTP answer or as an ERROR event with code 410): our RV has been compacted
//     away; relist, and emit deletes for objects that vanished while we were not watching.
//   * transport errors, 5xx, other ERROR events: re-watch from the last RV after an exponential
//     backoff (200 ms doubling to 30 s); a failing list is retried the same way.
//
// Handlers run on the informer's thread, one event at a time, and must be quick (they enqueue
// keys). They are added before start(). `has_synced()` turns true after the first full list has
// been delivered to the store and to the handlers.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "operator/kube/api.h"
#include "operator/kube/object_store.h"
#include "operator/kube/watch.h"

namespace runnel::kube {

class HttpApi;

struct InformerHandler {
  std::function<void(const Json& obj)> on_add;
  std::function<void(const Json& old_obj, const Json& new_obj)> on_update;
  std::function<void(const Json& last_known)> on_delete;
};

struct InformerOptions {
  // Each watch asks the server to end it after a random time in [t, 2t) (as client-go does), so
  // a silently dead connection is noticed.
  int watch_timeout_seconds = 300;
  std::chrono::milliseconds backoff_initial{200};
  std::chrono::milliseconds backoff_max{30000};
  ListOptions selectors;
  std::function<void()> on_watch_restart;  // a watch ended abnormally (metrics)
};

class Informer {
 public:
  Informer(HttpApi& api, ResourceType type, std::string ns, InformerOptions options = {});
  ~Informer();
  Informer(const Informer&) = delete;
  Informer& operator=(const Informer&) = delete;

  void add_handler(InformerHandler handler);  // before start()
  void start();
  void stop();  // aborts a running watch and joins the thread

  bool has_synced() const { return synced_.load(); }
  const ObjectStore& store() const { return store_; }
  const ResourceType& type() const { return type_; }
  const std::string& ns() const { return ns_; }
  std::string resource_version() const;
  uint64_t watch_restarts() const { return restarts_.load(); }
  uint64_t lists() const { return lists_.load(); }
  // Not wedged: the thread made progress (an event, a list, a new watch) recently enough.
  bool healthy() const;

 private:
  void run();
  bool relist();
  // Returns true when the stream ended normally (server timeout) and a plain re-watch is right.
  bool watch_once(bool* need_relist);
  void apply(const WatchEvent& ev, bool* need_relist);
  void sleep_for(std::chrono::milliseconds d);
  void touch();
  void restarted();

  HttpApi& api_;
  ResourceType type_;
  std::string ns_;
  InformerOptions options_;
  std::vector<InformerHandler> handlers_;
  ObjectStore store_;
  WatchCanceller canceller_;

  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::string rv_;
  bool stopping_ = false;
  std::thread thread_;
  std::atomic<bool> synced_{false};
  std::atomic<uint64_t> restarts_{0};
  std::atomic<uint64_t> lists_{0};
  std::atomic<int64_t> progress_ns_{0};
};

}  // namespace runnel::kube
