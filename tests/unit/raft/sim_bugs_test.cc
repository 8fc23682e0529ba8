// The simulation is not toothless: with a rule of the protocol deliberately broken in the
// replica (RaftConfig::bugs, which production never sets), the checker must report a violation
// of the invariant that rule protects within a bounded number of schedules. The seeds are fixed,
// so these tests are deterministic.

#include <gtest/gtest.h>

#include <cstdio>
#include <string>

#include "sim_report.h"
#include "sim_schedule.h"

namespace runnel::raft::sim {
namespace {

constexpr uint64_t kFirstSeed = 1;
constexpr uint64_t kMaxSchedules = 30000;

// Runs schedules with `bugs` until one fails; returns that result.
ScheduleResult first_failure(InjectedBugs bugs) {
  return sim::first_failure(kFirstSeed, kMaxSchedules,
                            [&](uint64_t seed) { return run_schedule(seed, {.bugs = bugs, .check_liveness = false}); });
}

bool starts_with(const std::string& s, const std::string& prefix) { return s.rfind(prefix, 0) == 0; }

TEST(RaftSimulationBugs, VoteWithoutLogCheckBreaksLeaderCompleteness) {
  ScheduleResult r = first_failure({.vote_ignores_log = true});
  ASSERT_FALSE(r.ok()) << "the checker missed a vote granted without the up-to-date check";
  EXPECT_TRUE(starts_with(r.failure, "leader completeness")) << r.failure;
}

TEST(RaftSimulationBugs, SpeakingBeforePersistingIsCaughtAtOnce) {
  ScheduleResult r = first_failure({.send_before_persisted = true});
  ASSERT_FALSE(r.ok()) << "the checker missed votes and acknowledgements sent before they were durable";
  EXPECT_TRUE(starts_with(r.failure, "durable speech")) << r.failure;
}

TEST(RaftSimulationBugs, CountingUnflushedRecordsBreaksLeaderCompleteness) {
  ScheduleResult r = first_failure({.leader_counts_unflushed = true});
  ASSERT_FALSE(r.ok()) << "the checker missed a high watermark counted from records not yet durable";
  EXPECT_TRUE(starts_with(r.failure, "leader completeness") || starts_with(r.failure, "state-machine safety") ||
              starts_with(r.failure, "state machines"))
      << r.failure;
}

TEST(RaftSimulationBugs, TrimmingPastTheSnapshotLosesARecord) {
  ScheduleResult r = first_failure({.trim_past_snapshot = true});
  ASSERT_FALSE(r.ok()) << "the checker missed a log trimmed past its snapshot";
  EXPECT_TRUE(starts_with(r.failure, "state machines") || starts_with(r.failure, "snapshot")) << r.failure;
}

TEST(RaftSimulationBugs, ConcurrentVoterChangesAreCaught) {
  // Two voter changes in flight let a leader of the old set and a leader of the newest one be
  // elected by majorities that do not overlap; the checker must see it in the dynamic schedules.
  ScheduleResult r = sim::first_failure(kFirstSeed, kMaxSchedules, [&](uint64_t seed) {
    return run_schedule(seed, {.bugs = {.concurrent_voter_changes = true}, .check_liveness = false, .dynamic = true});
  });
  ASSERT_FALSE(r.ok()) << "the checker missed concurrent voter changes";
  std::printf("concurrent voter changes: %s\n", r.failure.c_str());
}

}  // namespace
}  // namespace runnel::raft::sim
