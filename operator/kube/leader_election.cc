#include "operator/kube/leader_election.h"

#include <unistd.h>

#include <cstdlib>
#include <ctime>

#include "broker/log/log.h"

namespace runnel::kube {
namespace {

using Clock = std::chrono::steady_clock;

Json record_of(const Json& spec) {
  // The parts whose change proves the holder is alive.
  return {{"holderIdentity", spec.value("holderIdentity", "")},
          {"renewTime", spec.value("renewTime", "")},
          {"leaseTransitions", spec.value("leaseTransitions", 0)}};
}

}  // namespace

std::string default_identity() {
  const char* pod = std::getenv("POD_NAME");
  if (pod && *pod) return pod;
  char host[256] = {0};
  gethostname(host, sizeof(host) - 1);
  return std::string(host) + "_" + std::to_string(getpid());
}

std::string micro_time_now() {
  auto now = std::chrono::system_clock::now();
  auto secs = std::chrono::system_clock::to_time_t(now);
  auto micros = std::chrono::duration_cast<std::chrono::microseconds>(now.time_since_epoch()) %
                std::chrono::seconds(1);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%04d-%02d-%02dT%02d:%02d:%02d.%06dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<int>(micros.count()));
  return buf;
}

LeaderElector::LeaderElector(Api& api, LeaderElectionConfig config, LeaderCallbacks callbacks)
    : api_(api), config_(std::move(config)), callbacks_(std::move(callbacks)) {}

LeaderElector::~LeaderElector() { stop(); }

std::string LeaderElector::observed_holder() const {
  std::lock_guard lock(mu_);
  return observed_record_.is_object() ? observed_record_.value("holderIdentity", "") : "";
}

Json LeaderElector::desired_spec(const Json& current, bool ours) const {
  std::string now = micro_time_now();
  Json spec = {{"holderIdentity", config_.identity},
               {"leaseDurationSeconds",
                std::max<int64_t>(1, std::chrono::duration_cast<std::chrono::seconds>(
                                         config_.lease_duration).count())},
               {"renewTime", now}};
  int transitions = current.value("leaseTransitions", 0);
  if (ours) {
    spec["acquireTime"] = current.value("acquireTime", now);
    spec["leaseTransitions"] = transitions;
  } else {
    spec["acquireTime"] = now;
    spec["leaseTransitions"] = current.contains("holderIdentity") ? transitions + 1 : transitions;
  }
  return spec;
}

bool LeaderElector::try_acquire_or_renew() {
  const ResourceType& lease = types::kLease;
  Result got = api_.get(lease, config_.ns, config_.name);
  if (got.not_found()) {
    Json spec = desired_spec(Json::object(), false);
    Json obj = {{"metadata", {{"name", config_.name}, {"namespace", config_.ns}}},
                {"spec", spec}};
    Result created = api_.create(lease, obj);
    if (!created.ok()) return report(created);
    std::lock_guard lock(mu_);
    observed_record_ = record_of(spec);
    observed_at_ = Clock::now();
    return true;
  }
  if (!got.ok()) return report(got);
  Json spec = got.body.value("spec", Json::object());
  std::string holder = spec.value("holderIdentity", "");
  bool ours = holder == config_.identity;
  {
    std::lock_guard lock(mu_);
    Json record = record_of(spec);
    if (record != observed_record_) {
      observed_record_ = record;
      observed_at_ = Clock::now();
    }
    bool expired = Clock::now() - observed_at_ >= config_.lease_duration;
    if (!holder.empty() && !ours && !expired) return false;
  }
  Json next = desired_spec(spec, ours);
  std::string rv = got.body["metadata"].value("resourceVersion", "");
  Json patch = {{"metadata", {{"resourceVersion", rv}}}, {"spec", next}};
  Result updated = api_.merge_patch(lease, config_.ns, config_.name, patch);
  if (!updated.ok()) return report(updated);
  std::lock_guard lock(mu_);
  observed_record_ = record_of(next);
  observed_at_ = Clock::now();
  return true;
}

bool LeaderElector::report(const Result& r) {
  // Losing a race (409) is normal; anything else (RBAC, transport) is worth a log line, once
  // per distinct message so a long outage does not flood the log.
  if (r.conflict()) return false;
  std::string msg = std::to_string(r.status) + " " + r.message;
  std::lock_guard lock(mu_);
  if (msg != last_error_) {
    last_error_ = msg;
    RUNNEL_LOG(warn, "leader election: lease %s/%s: %s", config_.ns.c_str(),
               config_.name.c_str(), msg.c_str());
  }
  return false;
}

bool LeaderElector::wait(std::chrono::milliseconds d) {
  std::unique_lock lock(mu_);
  return !cv_.wait_for(lock, d, [this] { return stopping_; });
}

void LeaderElector::run() {
  // Candidate: retry until we acquire.
  for (;;) {
    if (try_acquire_or_renew()) break;
    if (!wait(config_.retry_period)) return;
  }
  leader_ = true;
  RUNNEL_LOG(info, "leader election: %s acquired lease %s/%s", config_.identity.c_str(),
             config_.ns.c_str(), config_.name.c_str());
  if (callbacks_.on_started_leading) callbacks_.on_started_leading();
  // Leader: renew; give up when renewals have failed for renew_deadline.
  auto last_renew = Clock::now();
  while (wait(config_.retry_period)) {
    if (try_acquire_or_renew()) {
      last_renew = Clock::now();
    } else if (Clock::now() - last_renew >= config_.renew_deadline) {
      RUNNEL_LOG(warn, "leader election: %s lost lease %s/%s", config_.identity.c_str(),
                 config_.ns.c_str(), config_.name.c_str());
      leader_ = false;
      if (callbacks_.on_stopped_leading) callbacks_.on_stopped_leading();
      return;
    }
  }
}

void LeaderElector::release() {
  Result got = api_.get(types::kLease, config_.ns, config_.name);
  if (!got.ok() || got.body["spec"].value("holderIdentity", "") != config_.identity) return;
  Json patch = {{"metadata", {{"resourceVersion", got.body["metadata"].value("resourceVersion", "")}}},
                {"spec",
                 {{"holderIdentity", nullptr}, {"leaseDurationSeconds", 1},
                  {"renewTime", micro_time_now()}}}};
  api_.merge_patch(types::kLease, config_.ns, config_.name, patch);
}

void LeaderElector::start() {
  thread_ = std::thread([this] { run(); });
}

void LeaderElector::stop() {
  {
    std::lock_guard lock(mu_);
    if (stopping_) return;
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
  if (leader_.exchange(false)) {
    if (config_.release_on_stop) release();
    if (callbacks_.on_stopped_leading) callbacks_.on_stopped_leading();
  }
}

}  // namespace runnel::kube
