#pragma once
// The rate-limited work queue between informer handlers and reconcile workers, with client-go's
// semantics (workqueue.RateLimitingInterface):
//
//   * A key is queued at most once: `dirty` holds keys waiting, `processing` keys handed out by
//     get(). A key added while it is being processed is not handed to a second worker; it is
//     re-queued when done() is called, so one key is never reconciled concurrently and no change
//     is lost.
//   * add_after(key, d) queues the key once d has passed (the earliest pending time wins).
//   * add_rate_limited(key) = add_after(key, backoff) with backoff = base * 2^failures, capped
//     (5 ms doubling up to 1000 s); forget(key) resets the failure count after a success.
//   * get() blocks until a key is ready; after shutdown() it returns nullopt at once (queued keys
//     are dropped: the operator is stopping and the next leader relists everything anyway).
//
// Thread-safe. Delayed keys are promoted by whichever thread calls get()/depth(), so no timer
// thread is needed.

#include <chrono>
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <utility>

#include "operator/kube/reconciler.h"

namespace runnel::kube {

struct QueueOptions {
  std::chrono::milliseconds base_delay{5};
  std::chrono::milliseconds max_delay{1000 * 1000};
};

class WorkQueue {
 public:
  using Clock = std::chrono::steady_clock;
  explicit WorkQueue(QueueOptions options = {});

  void add(const ObjectKey& key);
  void add_after(const ObjectKey& key, std::chrono::milliseconds delay);
  void add_rate_limited(const ObjectKey& key);
  void forget(const ObjectKey& key);
  int num_requeues(const ObjectKey& key) const;
  // The delay add_rate_limited would use next for this key (without recording a failure).
  std::chrono::milliseconds next_backoff(const ObjectKey& key) const;

  std::optional<ObjectKey> get();
  // Like get() but gives up after `timeout` (nullopt).
  std::optional<ObjectKey> get_for(std::chrono::milliseconds timeout);
  void done(const ObjectKey& key);

  void shutdown();
  bool shutting_down() const;
  // Keys ready to be handed out (not counting delayed or in-flight keys).
  size_t depth();
  size_t delayed() const;

 private:
  using Key = std::pair<std::string, std::string>;
  static Key to_key(const ObjectKey& k) { return {k.ns, k.name}; }
  static ObjectKey from_key(const Key& k) { return {k.first, k.second}; }
  void add_locked(const Key& key);
  void promote_locked(Clock::time_point now);
  std::chrono::milliseconds backoff_for(int failures) const;
  std::optional<ObjectKey> get_until(std::optional<Clock::time_point> deadline);

  QueueOptions options_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Key> queue_;
  std::set<Key> dirty_;
  std::set<Key> processing_;
  std::map<Key, Clock::time_point> waiting_;  // delayed keys, earliest ready time each
  std::map<Key, int> failures_;
  bool shutdown_ = false;
};

}  // namespace runnel::kube
