#include "broker/server/cross_call.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

namespace runnel::server {
namespace {

// A call from one ring thread runs on the other ring's thread and its result comes home.
TEST(CrossCall, RunsOnTargetThreadAndReturnsResult) {
  io::Ring* away_ring = nullptr;
  std::atomic<bool> ready{false};
  std::thread::id away_id;
  struct Stop final : io::Completion {
    void complete(int32_t, uint32_t) override { io::Ring::current()->stop(); }
  } stop;
  std::thread away([&] {
    io::Ring ring;
    away_ring = &ring;
    away_id = std::this_thread::get_id();
    ready = true;
    ring.run();
  });
  while (!ready) std::this_thread::yield();
  io::Ring home;
  int value = 0;
  std::thread::id ran_on;
  auto task = [&]() -> io::Task<int> {
    int v = co_await on(home, *away_ring, [&]() -> io::Task<int> {
      ran_on = std::this_thread::get_id();
      co_return 41;
    });
    co_return v + 1;
  };
  value = home.block_on(task());
  home.send_msg(*away_ring, &stop, 0);
  io_uring_submit(home.raw());
  away.join();
  EXPECT_EQ(value, 42);
  EXPECT_EQ(ran_on, away_id);
}

TEST(CrossCall, SameRingRunsInline) {
  io::Ring ring;
  auto task = [&]() -> io::Task<int> {
    co_return co_await on(ring, ring, []() -> io::Task<int> { co_return 7; });
  };
  EXPECT_EQ(ring.block_on(task()), 7);
}

}  // namespace
}  // namespace runnel::server
