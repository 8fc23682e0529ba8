#include "broker/io/task_group.h"

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <vector>

#include "broker/io/ring.h"

namespace runnel::io {
namespace {

using namespace std::chrono_literals;

TEST(TaskGroup, SpawnRunsTheChildAtOnceAndCloseWaitsForEveryChild) {
  Ring ring;
  TaskGroup group;
  std::vector<int> events;
  auto child = [&](int id, std::chrono::milliseconds d) -> Task<void> {
    events.push_back(-id);  // started inline, before spawn() returned
    co_await ring.sleep_for(d);
    events.push_back(id);
  };
  EXPECT_TRUE(group.spawn(child(1, 30ms)));
  EXPECT_TRUE(group.spawn(child(2, 10ms)));
  EXPECT_EQ(events, (std::vector<int>{-1, -2}));
  EXPECT_EQ(group.alive(), 2u);
  ring.block_on([&]() -> Task<void> {
    co_await group.close();
    events.push_back(0);
  }());
  EXPECT_EQ(events, (std::vector<int>{-1, -2, 2, 1, 0}));
  EXPECT_EQ(group.alive(), 0u);
}

TEST(TaskGroup, ClosingRefusesNewChildrenWithoutRunningThem) {
  Ring ring;
  TaskGroup group;
  bool ran = false;
  ring.block_on([&]() -> Task<void> { co_await group.close(); }());
  EXPECT_TRUE(group.closing());
  EXPECT_FALSE(group.spawn([&]() -> Task<void> {
    ran = true;
    co_return;
  }()));
  EXPECT_FALSE(ran);
  EXPECT_EQ(group.alive(), 0u);
}

TEST(TaskGroup, IdleWaitsWithoutClosingAndEveryWaiterResumes) {
  Ring ring;
  TaskGroup group;
  int resumed = 0;
  group.spawn([&]() -> Task<void> { co_await ring.sleep_for(10ms); }());
  auto waiter = [&]() -> Task<void> {
    co_await group.idle();
    ++resumed;
  };
  TaskGroup waiters;
  waiters.spawn(waiter());
  waiters.spawn(waiter());
  ring.block_on([&]() -> Task<void> { co_await waiters.close(); }());
  EXPECT_EQ(resumed, 2);
  EXPECT_FALSE(group.closing());
  EXPECT_TRUE(group.spawn([&]() -> Task<void> { co_return; }()));  // still open; ends inline
  EXPECT_EQ(group.alive(), 0u);
}

TEST(TaskGroup, TheLastChildsWaiterMayDestroyTheGroup) {
  Ring ring;
  auto group = std::make_unique<TaskGroup>();
  group->spawn([&]() -> Task<void> { co_await ring.sleep_for(5ms); }());
  ring.block_on([&]() -> Task<void> {
    co_await group->close();
    group.reset();  // resumed from the child's end: its frame is gone already
  }());
  EXPECT_EQ(group, nullptr);
}

TEST(TaskGroupDeathTest, DestroyingAGroupWithAChildAliveAsserts) {
  EXPECT_DEATH(
      {
        Ring ring;
        TaskGroup group;
        group.spawn([&]() -> Task<void> { co_await ring.sleep_for(1h); }());
      },
      "task group destroyed with 1 tasks alive");
}

}  // namespace
}  // namespace runnel::io
