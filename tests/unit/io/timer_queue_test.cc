#include "broker/io/timer_queue.h"

#include <gtest/gtest.h>

#include <vector>

namespace runnel::io {
namespace {

struct Recorder final : Completion {
  std::vector<int>* log;
  int tag;
  Recorder(std::vector<int>* l, int t) : log(l), tag(t) {}
  void complete(int32_t res, uint32_t) override {
    EXPECT_EQ(res, -ETIME);
    log->push_back(tag);
  }
};

TEST(TimerQueue, FiresInDeadlineOrderAndSkipsCancelled) {
  TimerQueue q;
  std::vector<int> log;
  Recorder a(&log, 1), b(&log, 2), c(&log, 3);
  auto now = Clock::now();
  q.add(now + std::chrono::milliseconds(3), &a);
  auto idb = q.add(now + std::chrono::milliseconds(1), &b);
  q.add(now + std::chrono::milliseconds(2), &c);
  EXPECT_TRUE(q.cancel(idb));
  EXPECT_FALSE(q.cancel(idb));
  EXPECT_EQ(q.fire_expired(now), 0);
  EXPECT_EQ(q.fire_expired(now + std::chrono::milliseconds(5)), 2);
  EXPECT_EQ(log, (std::vector<int>{3, 1}));
  EXPECT_TRUE(q.empty());
}

}  // namespace
}  // namespace runnel::io
