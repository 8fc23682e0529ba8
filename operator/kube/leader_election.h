#pragma once
// Leader election on a coordination.k8s.io/v1 Lease, following client-go's leaderelection:
//
//   * Every retry_period the candidate reads the Lease. It may take it when nobody holds it, or
//     when the holder's record (holder, renewTime, transitions) has not changed for
//     lease_duration as measured on OUR clock since we first saw that record: comparing the
//     holder's renewTime with our own clock would make clock skew decide who leads.
//   * Writes are optimistic: the update carries the resourceVersion we read (a merge patch with
//     metadata.resourceVersion is rejected with 409 Conflict if anyone wrote in between), so two
//     candidates can never both succeed. A missing Lease is created (409 AlreadyExists loses).
//   * The leader renews every retry_period; if it cannot renew for renew_deadline it stops
//     leading (on_stopped_leading; the operator exits, as controller-runtime does) well before
//     lease_duration, after which another candidate may take over.
//   * stop() releases a held lease (holderIdentity cleared) so a successor need not wait.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

#include "operator/kube/api.h"

namespace runnel::kube {

struct LeaderElectionConfig {
  std::string ns;
  std::string name = "runnel-operator";
  std::string identity;  // pod name, or hostname_pid
  std::chrono::milliseconds lease_duration{15000};
  std::chrono::milliseconds renew_deadline{10000};
  std::chrono::milliseconds retry_period{2000};
  bool release_on_stop = true;
};

struct LeaderCallbacks {
  std::function<void()> on_started_leading;
  std::function<void()> on_stopped_leading;
};

// $POD_NAME if set, else "<hostname>_<pid>".
std::string default_identity();

// RFC 3339 with microseconds, UTC: the metav1.MicroTime wire format.
std::string micro_time_now();

class LeaderElector {
 public:
  LeaderElector(Api& api, LeaderElectionConfig config, LeaderCallbacks callbacks);
  ~LeaderElector();

  void start();
  void stop();
  bool is_leader() const { return leader_.load(); }
  std::string observed_holder() const;

  // One acquire-or-renew round; true when we hold the lease afterwards. Public for tests.
  bool try_acquire_or_renew();

 private:
  void run();
  bool wait(std::chrono::milliseconds d);  // false when stopping
  void release();
  bool report(const Result& failure);  // logs a failed Lease call; returns false
  Json desired_spec(const Json& current, bool ours) const;

  Api& api_;
  LeaderElectionConfig config_;
  LeaderCallbacks callbacks_;
  std::atomic<bool> leader_{false};

  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  std::thread thread_;
  Json observed_record_;  // the Lease spec as last seen
  std::chrono::steady_clock::time_point observed_at_{};
  std::string last_error_;
};

}  // namespace runnel::kube
