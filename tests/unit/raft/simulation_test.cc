// Thousands of random schedules of the Raft simulation per run (see README.md).
//
//   RUNNEL_RAFT_SIM_SCHEDULES=<n>   how many schedules (default 10000)
//   RUNNEL_RAFT_SIM_BASE_SEED=<n>   the first seed (default: from the clock, printed)
//   RUNNEL_RAFT_SIM_SEED=<n>        run that one seed and print its event trace
//   RUNNEL_RAFT_SIM_BUG=<name>      switch on an injected bug (vote_ignores_log,
//                                   send_before_persisted, leader_counts_unflushed) to watch
//                                   the checker catch it

#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string_view>

#include "sim_report.h"
#include "sim_schedule.h"

namespace runnel::raft::sim {
namespace {

InjectedBugs bugs_from_env() {
  InjectedBugs bugs;
  const char* name = std::getenv("RUNNEL_RAFT_SIM_BUG");
  if (name == nullptr || *name == '\0') return bugs;
  std::string_view n(name);
  bugs.vote_ignores_log = n == "vote_ignores_log";
  bugs.send_before_persisted = n == "send_before_persisted";
  bugs.leader_counts_unflushed = n == "leader_counts_unflushed";
  EXPECT_TRUE(bugs.vote_ignores_log || bugs.send_before_persisted || bugs.leader_counts_unflushed)
      << "unknown RUNNEL_RAFT_SIM_BUG=" << n;
  std::printf("raft simulation: injected bug %s\n", name);
  return bugs;
}

TEST(RaftSimulation, RandomSchedules) {
  report_seed_on_abort("raft simulation", "RUNNEL_RAFT_SIM_SEED");
  if (const char* one = std::getenv("RUNNEL_RAFT_SIM_SEED"); one != nullptr && *one != '\0') {
    uint64_t seed = std::strtoull(one, nullptr, 10);
    set_current_seed(seed);
    ScheduleResult r = run_schedule(seed, {.bugs = bugs_from_env(), .trace = true});
    std::printf("seed %llu: %s\n", static_cast<unsigned long long>(r.seed), r.profile.c_str());
    print_trace(r.seed, r.trace, r.failure, r.trace.size());
    EXPECT_TRUE(r.ok()) << r.failure;
    return;
  }
  uint64_t count = env_u64("RUNNEL_RAFT_SIM_SCHEDULES", 10000);
  uint64_t base = env_u64("RUNNEL_RAFT_SIM_BASE_SEED",
                          static_cast<uint64_t>(std::chrono::system_clock::now().time_since_epoch().count()) % 1'000'000'000);
  std::printf("raft simulation: %llu schedules from seed %llu (RUNNEL_RAFT_SIM_BASE_SEED=%llu reruns them)\n",
              static_cast<unsigned long long>(count), static_cast<unsigned long long>(base),
              static_cast<unsigned long long>(base));
  InjectedBugs bugs = bugs_from_env();
  auto start = std::chrono::steady_clock::now();
  uint64_t events = 0;
  int64_t committed = 0;
  int64_t recovery_max = 0;
  uint64_t recovery_worst_seed = 0;
  int64_t recovery_sum = 0;
  int failures = 0;
  for (uint64_t i = 0; i < count && failures < 3; ++i) {
    set_current_seed(base + i);
    ScheduleResult r = run_schedule(base + i, {.bugs = bugs});
    events += r.events;
    committed += r.committed;
    if (!r.ok()) {
      ++failures;
      ADD_FAILURE() << "seed " << r.seed << " (" << r.profile << "): " << r.failure
                    << "\nrerun with RUNNEL_RAFT_SIM_SEED=" << r.seed;
      ScheduleResult traced = run_schedule(r.seed, {.bugs = bugs, .trace = true});
      print_trace(traced.seed, traced.trace, traced.failure, 300);
      continue;
    }
    if (r.recovery_ms > recovery_max) {
      recovery_max = r.recovery_ms;
      recovery_worst_seed = r.seed;
    }
    recovery_sum += r.recovery_ms;
  }
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("raft simulation: %llu schedules, %llu events, %lld records committed, %.1f s; after healing a new "
              "record committed everywhere in %lld ms on average, %lld ms at most (seed %llu)\n",
              static_cast<unsigned long long>(count), static_cast<unsigned long long>(events),
              static_cast<long long>(committed), seconds,
              static_cast<long long>(count > 0 ? recovery_sum / static_cast<int64_t>(count) : 0),
              static_cast<long long>(recovery_max), static_cast<unsigned long long>(recovery_worst_seed));
}

}  // namespace
}  // namespace runnel::raft::sim
