#include "broker/io/gate.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <vector>

#include "broker/io/for_each.h"
#include "broker/io/ring.h"

namespace runnel::io {
namespace {

using namespace std::chrono_literals;

TEST(Gate, CloseWaitsForEveryOperationInside) {
  Ring ring;
  Gate gate;
  std::vector<int> events;
  auto op = [&](int id, std::chrono::milliseconds d) -> Task<void> {
    Gate::Holder h(gate);
    EXPECT_TRUE(h.ok());
    co_await ring.sleep_for(d);
    events.push_back(id);
  };
  auto closer = [&]() -> Task<void> {
    co_await ring.sleep_for(1ms);  // both operations are inside by now
    EXPECT_EQ(gate.inside(), 2u);
    co_await gate.close();
    events.push_back(0);
    Gate::Holder late(gate);
    EXPECT_FALSE(late.ok());  // closing: no new entries
  };
  ring.block_on(for_each(ring, 3, [&](size_t i) -> Task<void> {
    if (i == 0) co_await op(1, 20ms);
    if (i == 1) co_await op(2, 40ms);
    if (i == 2) co_await closer();
  }));
  EXPECT_EQ(events, (std::vector<int>{1, 2, 0}));  // the closer resumed only after the last left
}

TEST(Gate, CloseWithNothingInsideCompletesAtOnce) {
  Ring ring;
  Gate gate;
  bool closed = false;
  ring.block_on([&]() -> Task<void> {
    co_await gate.close();
    closed = true;
  }());
  EXPECT_TRUE(closed);
  EXPECT_TRUE(gate.closing());
}

TEST(ForEach, RunsAllConcurrentlyAndWaitsForAll) {
  Ring ring;
  int done = 0, running = 0, most = 0;
  ring.block_on(for_each(ring, 10, [&](size_t) -> Task<void> {
    most = std::max(most, ++running);
    co_await ring.sleep_for(5ms);
    --running;
    ++done;
  }));
  EXPECT_EQ(done, 10);
  EXPECT_EQ(most, 10);  // all ten were suspended at once, not run one after another
}

}  // namespace
}  // namespace runnel::io
