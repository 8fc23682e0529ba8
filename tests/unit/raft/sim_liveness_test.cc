// Liveness in the simulated world, with the invariant checker running throughout: the quorum
// keeps committing while a majority of voters is up, and elects a new leader within a few
// election timeouts of losing one. Fixed seeds, so deterministic.

#include <gtest/gtest.h>

#include <cstdio>
#include <memory>

#include "sim_world.h"

namespace runnel::raft::sim {
namespace {

constexpr int kSeeds = 300;

// The leader of the highest epoch among the nodes that are up, or -1.
int leader_of(const World& w) {
  int found = -1;
  for (size_t i = 0; i < w.size(); ++i) {
    if (!w.up(i) || w.replica(i)->role() != Role::leader) continue;
    if (found < 0 || w.replica(i)->epoch() > w.replica(static_cast<size_t>(found))->epoch()) found = static_cast<int>(i);
  }
  return found;
}

// Runs until a leader has committed a record proposed after `since_ms`; returns when, or -1.
int64_t run_until_commit(World& w, int64_t since_ms, int64_t deadline_ms) {
  Offset probe{-1};
  int holder = -1;
  while (w.now() < deadline_ms && !w.failed()) {
    w.run_until(w.now() + 10);
    int l = leader_of(w);
    if (l < 0) continue;
    const Replica* r = w.replica(static_cast<size_t>(l));
    if (holder == l && r->high_watermark() > probe) return w.now();
    if (holder != l && w.now() >= since_ms) {
      auto range = w.propose(static_cast<size_t>(l), {"probe"});
      if (range) {
        probe = range->first;
        holder = l;
      }
    }
  }
  return -1;
}

// A reliable network that still reorders (1-30 ms), disks that flush within 10 ms. Held by
// pointer: scheduled actions capture the world's address.
std::unique_ptr<World> steady_world(uint64_t seed, int voters) {
  auto w = std::make_unique<World>(seed, voters, 0, InjectedBugs{}, false);
  w->faults().delay_max_ms = 30;
  for (size_t i = 0; i < w->size(); ++i) w->set_flush_latency(i, 10);
  return w;
}

TEST(RaftSimulationLiveness, NewLeaderWithinAFewElectionTimeoutsOfLosingOne) {
  int64_t worst = 0;
  for (uint64_t seed = 1; seed <= kSeeds; ++seed) {
    int voters = seed % 2 == 0 ? 3 : 5;
    auto world = steady_world(seed, voters);
    World& w = *world;
    ASSERT_GE(run_until_commit(w, 0, 20'000), 0) << "seed " << seed << ": no first leader";
    w.run_until(w.now() + 1000);
    int old = leader_of(w);
    ASSERT_GE(old, 0);
    int64_t lost_at = w.now();
    w.crash(static_cast<size_t>(old));  // and it stays down
    int64_t done = run_until_commit(w, lost_at, lost_at + 30'000);
    ASSERT_FALSE(w.failed()) << "seed " << seed << ": " << *w.checker().violation();
    ASSERT_GE(done, 0) << "seed " << seed << ": no new leader";
    worst = std::max(worst, done - lost_at);
  }
  std::printf("leader lost -> new leader committed a record: %lld ms at most over %d seeds\n",
              static_cast<long long>(worst), kSeeds);
  // Followers notice after the fetch timeout (2 s); then a pre-vote round and a vote round each
  // take an election timeout (1-2 s with jitter); a split vote costs another round or two.
  EXPECT_LE(worst, 2000 + 4 * 2000);
}

TEST(RaftSimulationLiveness, QuorumCommitsWhileAMajorityIsUp) {
  for (uint64_t seed = 1; seed <= kSeeds; ++seed) {
    auto world = steady_world(seed, 5);
    World& w = *world;
    ASSERT_GE(run_until_commit(w, 0, 20'000), 0) << "seed " << seed;
    // Two of five voters go (the leader among them when the seed says so): three remain.
    int l = leader_of(w);
    size_t first = seed % 3 == 0 ? static_cast<size_t>(l) : static_cast<size_t>((l + 1) % 5);
    w.crash(first);
    w.crash((first + 2) % 5);
    int64_t since = w.now();
    for (int round = 0; round < 5; ++round) {
      int64_t done = run_until_commit(w, w.now(), w.now() + 20'000);
      ASSERT_FALSE(w.failed()) << "seed " << seed << ": " << *w.checker().violation();
      ASSERT_GE(done, 0) << "seed " << seed << ": stopped committing with 3 of 5 voters up, round " << round;
    }
    EXPECT_GT(w.checker().committed_end(), Offset{5}) << "seed " << seed << " since " << since;
  }
}

}  // namespace
}  // namespace runnel::raft::sim
