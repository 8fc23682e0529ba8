#include "broker/io/abort_source.h"

#include <gtest/gtest.h>

#include <chrono>

#include "broker/io/ring.h"
#include "broker/io/task_group.h"

namespace runnel::io {
namespace {

using namespace std::chrono_literals;

TEST(AbortSource, AbortEndsEverySleepAtOnce) {
  Ring ring;
  AbortSource stop(ring);
  TaskGroup group;
  int woke = 0;
  auto sleeper = [&]() -> Task<void> {
    co_await stop.sleep_for(1h);
    ++woke;
  };
  group.spawn(sleeper());
  group.spawn(sleeper());
  const auto start = Clock::now();
  ring.block_on([&]() -> Task<void> {
    co_await ring.sleep_for(5ms);
    stop.abort();
    EXPECT_EQ(woke, 0);  // resumed on the next pass, not inline
    co_await group.close();
  }());
  EXPECT_EQ(woke, 2);
  EXPECT_LT(Clock::now() - start, 1s);
  EXPECT_TRUE(stop.aborted());
}

TEST(AbortSource, SleepsEndAtTheirDeadlineAndAfterAbortAtOnce) {
  Ring ring;
  AbortSource stop(ring);
  const auto start = Clock::now();
  ring.block_on([&]() -> Task<void> { co_await stop.sleep_for(10ms); }());
  EXPECT_GE(Clock::now() - start, 10ms);
  stop.abort();
  const auto after = Clock::now();
  ring.block_on([&]() -> Task<void> { co_await stop.sleep_for(1h); }());
  EXPECT_LT(Clock::now() - after, 1s);
}

}  // namespace
}  // namespace runnel::io
