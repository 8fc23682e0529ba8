#pragma once
// The controller manager: wires reconcilers to informers, work queues and worker threads.
//
// For each registered Reconciler:
//   * an informer for primary() (one per watched namespace) whose add/update/delete events queue
//     the object's own key, and an informer for each type in watches() whose events queue the
//     keys returned by map_secondary() (for updates, of both the old and the new object, so an
//     owner change requeues both owners). Informers of one type are shared by all reconcilers.
//   * one WorkQueue and `workers_per_controller` worker threads. A worker runs reconcile(key)
//     and then: error -> add_rate_limited (per-key backoff), requeue_after > 0 -> forget +
//     add_after, otherwise forget. A key is never reconciled by two workers at once.
// Workers start only once every informer has synced and, with leader election on, only while
// this replica leads. Losing the lease shuts the queues down and calls on_lost_leadership (the
// operator then exits, as controller-runtime does; a fresh process relists and re-elects).
//
// Controllers get their read caches from store(type) before start(); the returned Store spans
// every watched namespace and stays valid for the Manager's lifetime.

#include <atomic>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "operator/kube/informer.h"
#include "operator/kube/leader_election.h"
#include "operator/kube/metrics.h"
#include "operator/kube/object_store.h"
#include "operator/kube/reconciler.h"
#include "operator/kube/work_queue.h"

namespace runnel::kube {

class HttpApi;

struct ManagerOptions {
  std::vector<std::string> namespaces;  // empty: all namespaces
  bool leader_elect = false;
  LeaderElectionConfig leader_election;
  int workers_per_controller = 1;
  InformerOptions informer;  // watch timeout and backoff for every informer
  QueueOptions queue;
  std::function<void()> on_lost_leadership;
};

class Manager {
 public:
  Manager(HttpApi& api, ManagerOptions options, OperatorMetrics* metrics = nullptr);
  ~Manager();
  Manager(const Manager&) = delete;
  Manager& operator=(const Manager&) = delete;

  // The cache for `type` (creates its informers). Before start() only.
  const Store& store(const ResourceType& type);
  // Before start() only.
  void add(std::unique_ptr<Reconciler> reconciler);

  void start();
  void stop();  // idempotent; releases the lease, drains workers, stops informers

  bool caches_synced() const;
  bool healthy() const;  // informer threads are making progress
  bool leading() const;  // true without leader election
  bool workers_running() const { return workers_started_.load(); }
  size_t queue_depth(const std::string& controller);
  size_t informer_count() const { return informers_.size(); }

 private:
  struct TypeInformers {
    ResourceType type;
    std::vector<std::unique_ptr<Informer>> per_namespace;
    std::unique_ptr<MultiStore> store;
  };
  struct Controller {
    std::unique_ptr<Reconciler> reconciler;
    std::unique_ptr<WorkQueue> queue;
    std::vector<std::thread> workers;
  };

  TypeInformers& informers_for(const ResourceType& type);
  void control_loop();
  void start_workers();
  void worker(Controller& c);
  void lost_leadership();

  HttpApi& api_;
  ManagerOptions options_;
  OperatorMetrics* metrics_;
  std::map<std::string, TypeInformers> informers_;
  std::vector<std::unique_ptr<Controller>> controllers_;
  std::unique_ptr<LeaderElector> elector_;

  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  bool started_ = false;
  std::thread control_;
  std::atomic<bool> workers_started_{false};
  std::atomic<bool> lost_{false};
};

}  // namespace runnel::kube
