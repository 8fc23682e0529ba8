#include "controller_schedule.h"

#include <memory>

#include "controller_cluster.h"
#include "sim_schedule.h"
#include "workload.h"

namespace runnel::controller_sim {

namespace {

constexpr int64_t kStepMs = 10;

template <typename T, size_t N>
T pick(raft::Random& r, const T (&choices)[N]) {
  return choices[r.below(N)];
}

}  // namespace

ScheduleResult run_schedule(uint64_t seed, const ScheduleOptions& options) {
  ScheduleResult result{.seed = seed};
  raft::Random plan(seed);
  int voters = plan.chance(0.6) ? 3 : 5;
  int observers = plan.chance(0.25) ? 1 : 0;
  int64_t election_timeout_ms = plan.chance(0.7) ? 1000 : 400;
  auto world = std::make_unique<World>(plan.next(), voters, observers, raft::InjectedBugs{}, options.trace,
                                       election_timeout_ms);
  World& w = *world;

  raft::sim::choose_faults(w, plan);
  raft::sim::NetworkFaults& f = w.faults();
  int64_t chaos_ms = plan.between(3000, 8000);
  int64_t fault_every_ms = pick(plan, {int64_t{200}, int64_t{500}, int64_t{1000}, int64_t{2500}});
  double step_crash = pick(plan, {0.0, 0.0, 0.001, 0.003});
  w.set_step_crash(step_crash);

  config::BrokerConfig config;
  config.broker_session_timeout_ms = static_cast<int32_t>(pick(plan, {1000, 2000, 3000}));
  WorkloadOptions load;
  load.brokers = static_cast<int>(plan.between(3, 5));
  load.heartbeat_ms = config.broker_session_timeout_ms / 4;
  load.admin_every_ms = pick(plan, {int64_t{30}, int64_t{100}, int64_t{300}});
  load.broker_crash_per_step = pick(plan, {0.0, 0.0005, 0.002});
  load.broker_shutdown_per_step = pick(plan, {0.0, 0.0005, 0.002});

  ControllerCluster cluster(w, config, options.bugs);
  w.set_observer(&cluster);
  Workload workload(w, cluster, load);

  result.profile = std::to_string(voters) + " voters + " + std::to_string(observers) + " observer, election timeout " +
                   std::to_string(election_timeout_ms) + " ms, drop " + std::to_string(f.drop) + ", dup " +
                   std::to_string(f.duplicate) + ", delay <= " + std::to_string(f.delay_max_ms) + " ms, step crash " +
                   std::to_string(step_crash) + ", a fault every ~" + std::to_string(fault_every_ms) + " ms for " +
                   std::to_string(chaos_ms) + " ms; " + std::to_string(load.brokers) + " brokers, session " +
                   std::to_string(config.broker_session_timeout_ms) + " ms, crash/step " +
                   std::to_string(load.broker_crash_per_step) + ", admin every ~" + std::to_string(load.admin_every_ms) + " ms";

  raft::sim::schedule_faults(w, plan, fault_every_ms, chaos_ms);
  for (int64_t t = kStepMs; t <= chaos_ms && !w.failed(); t += kStepMs) {
    w.run_until(t);
    if (w.failed()) break;
    workload.step();
    cluster.tick();
  }

  if (!w.failed()) w.run_until(chaos_ms);  // the last scheduled faults, before healing

  // Heal: the network whole and reliable (still reordering), every node up, brokers stay as
  // they are. The cluster must settle within the Raft simulation's bound for a new leader plus
  // a broker session and the heartbeats that unfence.
  if (!w.failed()) {
    raft::sim::heal(w);
    workload.freeze();
  }
  const int64_t deadline = chaos_ms + raft::sim::kLivenessBoundMs + config.broker_session_timeout_ms + 2000;
  std::string why;
  for (int64_t step = 1, t = w.now() + kStepMs; !w.failed() && options.check_liveness; ++step, t += kStepMs) {
    w.run_until(t);
    if (w.failed()) break;
    workload.step();
    cluster.tick();
    if (step % 10 == 0 || t >= deadline) {
      why = workload.unsettled();
      if (why.empty()) {
        result.settle_ms = t - chaos_ms;
        break;
      }
      if (t >= deadline) break;
    }
  }
  if (!w.failed() && options.check_liveness && result.settle_ms < 0) {
    result.failure = "liveness: not settled " + std::to_string(deadline - chaos_ms) + " ms after healing: " + why;
  }
  if (w.failed()) {
    result.failure = w.checker().violation() ? *w.checker().violation() : *cluster.violation();
  }
  result.events = w.events();
  result.committed = w.checker().committed_end().value();
  result.requests = workload.requests();
  result.acknowledged = cluster.checker().acknowledged();
  result.images = cluster.checker().images_checked();
  result.images_inside_a_batch = cluster.checker().images_inside_a_batch();
  result.cut_batches = cluster.checker().cut_batches();
  result.broker_crashes = workload.broker_crashes();
  if (options.trace) result.trace = w.trace();
  return result;
}

}  // namespace runnel::controller_sim
