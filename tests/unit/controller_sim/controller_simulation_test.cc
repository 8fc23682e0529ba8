// Thousands of random schedules of the controller simulation per run (see README.md).
//
//   RUNNEL_CONTROLLER_SIM_SCHEDULES=<n>   how many schedules (default 3000)
//   RUNNEL_CONTROLLER_SIM_BASE_SEED=<n>   the first seed (default: from the clock, printed)
//   RUNNEL_CONTROLLER_SIM_SEED=<n>        run that one seed and print its event trace
//   RUNNEL_CONTROLLER_SIM_BUG=<name>      switch on an injected controller bug
//                                         (decide_on_stale_image, apply_twice,
//                                         fence_keeps_leadership, short_commit_timeout) to
//                                         watch the checks catch it

#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "controller_schedule.h"
#include "sim_report.h"

namespace runnel::controller_sim {
namespace {

ControllerBugs bugs_from_env() {
  ControllerBugs bugs;
  const char* name = std::getenv("RUNNEL_CONTROLLER_SIM_BUG");
  if (name == nullptr || *name == '\0') return bugs;
  std::string_view n(name);
  bugs.decide_on_stale_image = n == "decide_on_stale_image";
  bugs.apply_twice = n == "apply_twice";
  bugs.fence_keeps_leadership = n == "fence_keeps_leadership";
  bugs.short_commit_timeout = n == "short_commit_timeout";
  EXPECT_TRUE(bugs.any()) << "unknown RUNNEL_CONTROLLER_SIM_BUG=" << n;
  std::printf("controller simulation: injected bug %s\n", name);
  return bugs;
}

TEST(ControllerSimulation, RandomSchedules) {
  ControllerBugs bugs = bugs_from_env();
  uint64_t events = 0, requests = 0, acknowledged = 0, images = 0, broker_crashes = 0;
  int64_t committed = 0, settle_max = 0, settle_sum = 0;
  uint64_t settle_worst_seed = 0;
  raft::sim::ScheduleRun run = raft::sim::run_schedules(
      "controller simulation", "RUNNEL_CONTROLLER_SIM", 3000,
      [&](uint64_t seed, bool trace) { return run_schedule(seed, {.bugs = bugs, .trace = trace}); },
      [&](const ScheduleResult& r) {
        events += r.events;
        committed += r.committed;
        requests += r.requests;
        acknowledged += r.acknowledged;
        images += r.images;
        broker_crashes += r.broker_crashes;
        if (!r.ok()) return;
        if (r.settle_ms > settle_max) {
          settle_max = r.settle_ms;
          settle_worst_seed = r.seed;
        }
        settle_sum += r.settle_ms;
      });
  if (run.schedules == 0) return;
  std::printf("controller simulation: %llu schedules, %.1f s: %llu events, %lld records committed, %llu images checked, "
              "%llu requests (%llu acknowledged), %llu broker crashes; settled after healing in %lld ms on average, "
              "%lld ms at most (seed %llu)\n",
              static_cast<unsigned long long>(run.schedules), run.seconds, static_cast<unsigned long long>(events),
              static_cast<long long>(committed), static_cast<unsigned long long>(images),
              static_cast<unsigned long long>(requests), static_cast<unsigned long long>(acknowledged),
              static_cast<unsigned long long>(broker_crashes),
              static_cast<long long>(settle_sum / static_cast<int64_t>(run.schedules)), static_cast<long long>(settle_max),
              static_cast<unsigned long long>(settle_worst_seed));
}

}  // namespace
}  // namespace runnel::controller_sim
