// Thousands of random schedules of the Raft simulation per run (see README.md).
//
//   RUNNEL_RAFT_SIM_SCHEDULES=<n>   how many schedules (default 10000)
//   RUNNEL_RAFT_SIM_BASE_SEED=<n>   the first seed (default: from the clock, printed)
//   RUNNEL_RAFT_SIM_SEED=<n>        run that one seed and print its event trace
//   RUNNEL_RAFT_SIM_BUG=<name>      switch on an injected bug (vote_ignores_log,
//                                   send_before_persisted, leader_counts_unflushed) to watch
//                                   the checker catch it

#include <gtest/gtest.h>

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
  InjectedBugs bugs = bugs_from_env();
  uint64_t events = 0;
  int64_t committed = 0;
  int64_t recovery_max = 0;
  uint64_t recovery_worst_seed = 0;
  int64_t recovery_sum = 0;
  int64_t voter_changes = 0;
  int64_t voter_sets = 0;
  ScheduleRun run = run_schedules(
      "raft simulation", "RUNNEL_RAFT_SIM", 10000,
      [&](uint64_t seed, bool trace) { return run_schedule(seed, {.bugs = bugs, .trace = trace}); },
      [&](const ScheduleResult& r) {
        events += r.events;
        committed += r.committed;
        voter_changes += r.voter_changes;
        voter_sets += r.committed_voter_sets;
        if (!r.ok()) return;
        if (r.recovery_ms > recovery_max) {
          recovery_max = r.recovery_ms;
          recovery_worst_seed = r.seed;
        }
        recovery_sum += r.recovery_ms;
      });
  if (run.schedules == 0) return;
  std::printf("raft simulation: %llu schedules, %llu events, %lld records committed, %.1f s; after healing a new "
              "record committed everywhere in %lld ms on average, %lld ms at most (seed %llu)\n",
              static_cast<unsigned long long>(run.schedules), static_cast<unsigned long long>(events),
              static_cast<long long>(committed), run.seconds,
              static_cast<long long>(recovery_sum / static_cast<int64_t>(run.schedules)),
              static_cast<long long>(recovery_max), static_cast<unsigned long long>(recovery_worst_seed));
  std::printf("raft simulation: dynamic quorums: %lld voter changes acknowledged, %lld voter sets committed\n",
              static_cast<long long>(voter_changes), static_cast<long long>(voter_sets));
  // The dynamic schedules must really change voters, or the rule above is checked on nothing.
  if (run.schedules >= 300) {
    EXPECT_GT(voter_changes, 0);
  }
}

}  // namespace
}  // namespace runnel::raft::sim
