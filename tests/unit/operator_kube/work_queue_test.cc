#include "operator/kube/work_queue.h"

#include <gtest/gtest.h>

#include <thread>

namespace runnel::kube {
namespace {

using namespace std::chrono_literals;
const ObjectKey kA{"ns", "a"};
const ObjectKey kB{"ns", "b"};
const ObjectKey kC{"ns", "c"};

TEST(WorkQueue, DuplicatesCollapse) {
  WorkQueue q;
  q.add(kA);
  q.add(kB);
  q.add(kA);
  EXPECT_EQ(q.depth(), 2u);
  EXPECT_EQ(q.get(), kA);
  EXPECT_EQ(q.get(), kB);
  EXPECT_FALSE(q.get_for(20ms));
}

TEST(WorkQueue, KeyAddedWhileProcessingRunsAgainAfterDone) {
  WorkQueue q;
  q.add(kA);
  auto k = q.get();
  ASSERT_EQ(k, kA);
  q.add(kA);  // changed while a worker is reconciling it
  q.add(kA);
  EXPECT_EQ(q.depth(), 0u);          // not handed to a second worker
  EXPECT_FALSE(q.get_for(20ms));
  q.done(kA);
  EXPECT_EQ(q.depth(), 1u);
  EXPECT_EQ(q.get_for(20ms), kA);
  q.done(kA);
  EXPECT_FALSE(q.get_for(20ms));     // once, not twice
}

TEST(WorkQueue, BackoffDoublesFrom5msAndCapsAt1000s) {
  WorkQueue q;
  EXPECT_EQ(q.next_backoff(kA), 5ms);
  for (int i = 0; i < 4; ++i) q.add_rate_limited(kA);
  EXPECT_EQ(q.num_requeues(kA), 4);
  EXPECT_EQ(q.next_backoff(kA), 80ms);
  for (int i = 0; i < 40; ++i) q.add_rate_limited(kA);
  EXPECT_EQ(q.next_backoff(kA), 1000s);
  EXPECT_EQ(q.next_backoff(kB), 5ms);  // per key
  q.forget(kA);
  EXPECT_EQ(q.num_requeues(kA), 0);
  EXPECT_EQ(q.next_backoff(kA), 5ms);
}

TEST(WorkQueue, RateLimitedKeyArrivesAfterItsDelay) {
  WorkQueue q({std::chrono::milliseconds(40), 1000s});
  auto t0 = std::chrono::steady_clock::now();
  q.add_rate_limited(kA);
  EXPECT_EQ(q.depth(), 0u);
  EXPECT_EQ(q.delayed(), 1u);
  EXPECT_EQ(q.get(), kA);
  EXPECT_GE(std::chrono::steady_clock::now() - t0, 40ms);
}

TEST(WorkQueue, AddAfterKeepsReadyTimeOrderAndEarliestWins) {
  WorkQueue q;
  q.add_after(kA, 90ms);
  q.add_after(kB, 30ms);
  q.add_after(kC, 60ms);
  q.add_after(kA, 10ms);   // earlier time for the same key wins
  q.add_after(kB, 500ms);  // later time for a pending key is ignored
  EXPECT_EQ(q.get(), kA);
  EXPECT_EQ(q.get(), kB);
  EXPECT_EQ(q.get(), kC);
  EXPECT_EQ(q.delayed(), 0u);
}

TEST(WorkQueue, ShutdownWakesBlockedGetters) {
  WorkQueue q;
  std::optional<ObjectKey> got = kA;
  std::thread t([&] { got = q.get(); });
  std::this_thread::sleep_for(20ms);
  q.shutdown();
  t.join();
  EXPECT_FALSE(got);
  q.add(kB);
  EXPECT_FALSE(q.get());
  EXPECT_TRUE(q.shutting_down());
}

TEST(WorkQueue, ConcurrentWorkersNeverShareAKey) {
  WorkQueue q;
  std::atomic<int> in_flight{0}, max_in_flight{0}, runs{0};
  std::vector<std::thread> workers;
  for (int i = 0; i < 4; ++i)
    workers.emplace_back([&] {
      while (auto k = q.get()) {
        int now = ++in_flight;
        int prev = max_in_flight.load();
        while (now > prev && !max_in_flight.compare_exchange_weak(prev, now)) {
        }
        std::this_thread::sleep_for(1ms);
        --in_flight;
        ++runs;
        q.done(*k);
      }
    });
  for (int i = 0; i < 200; ++i) {
    q.add(kA);
    std::this_thread::sleep_for(100us);
  }
  std::this_thread::sleep_for(50ms);
  q.shutdown();
  for (auto& w : workers) w.join();
  EXPECT_EQ(max_in_flight.load(), 1);
  EXPECT_GE(runs.load(), 2);
  EXPECT_LT(runs.load(), 200);  // collapsed
}

}  // namespace
}  // namespace runnel::kube
