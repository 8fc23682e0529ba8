#include "broker/io/ring.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <string>
#include <thread>

namespace runnel::io {
namespace {

std::string temp_dir() {
  char tmpl[] = "/tmp/runnel-io-XXXXXX";
  return mkdtemp(tmpl);
}

Task<int> write_then_read(Ring& ring, const std::string& path, std::string& out) {
  int fd = co_await ring.openat(AT_FDCWD, path.c_str(), O_CREAT | O_RDWR | O_TRUNC, 0644);
  if (fd < 0) co_return fd;
  const char msg[] = "hello ring";
  int w = co_await ring.write(fd, msg, sizeof(msg) - 1, 0);
  if (w != sizeof(msg) - 1) co_return -1;
  int s = co_await ring.fsync(fd, true);
  if (s != 0) co_return s;
  char buf[64] = {};
  int r = co_await ring.read(fd, buf, sizeof(buf), 0);
  out.assign(buf, r > 0 ? static_cast<size_t>(r) : 0);
  co_await ring.close(fd);
  co_return r;
}

TEST(Ring, FileRoundTripThroughCoroutines) {
  Ring ring;
  std::string dir = temp_dir();
  std::string got;
  int r = ring.block_on(write_then_read(ring, dir + "/f", got));
  EXPECT_EQ(r, 10);
  EXPECT_EQ(got, "hello ring");
  EXPECT_GT(ring.submitted_total(), 4u);
}

TEST(Ring, OpenMissingFileReturnsErrno) {
  Ring ring;
  auto t = [](Ring& r) -> Task<int> { co_return co_await r.openat(AT_FDCWD, "/nonexistent/x", O_RDONLY, 0); };
  EXPECT_EQ(ring.block_on(t(ring)), -ENOENT);
}

TEST(Ring, SleepWaitsForDeadline) {
  Ring ring;
  auto start = Clock::now();
  auto t = [](Ring& r) -> Task<void> { co_await r.sleep_for(std::chrono::milliseconds(20)); };
  ring.block_on(t(ring));
  EXPECT_GE(Clock::now() - start, std::chrono::milliseconds(20));
}

// A message crosses from one ring's thread to another's and comes back, with no locks.
TEST(Ring, CrossRingMessagesRoundTrip) {
  struct Ping final : Completion {
    Ring* home = nullptr;
    Ring* away = nullptr;
    int hops = 0;
    bool done = false;
    void complete(int32_t res, uint32_t) override {
      ++hops;
      Ring* here = Ring::current();
      if (here == home && res >= 10) {
        done = true;
        home->stop();
      } else {
        here->send_msg(here == home ? *away : *home, this, res + 1);
      }
    }
  };
  Ping ping;
  Ring* away_ring = nullptr;
  std::atomic<bool> ready{false};
  std::atomic<bool> finished{false};
  std::thread t([&] {
    Ring away;
    away_ring = &away;
    ready = true;
    while (!finished) {
      away.run();
    }
  });
  while (!ready) std::this_thread::yield();
  Ring home;
  ping.home = &home;
  ping.away = away_ring;
  home.send_msg(*away_ring, &ping, 0);
  home.run();
  finished = true;
  // Wake the other loop so it sees `finished`.
  struct Nop final : Completion {
    void complete(int32_t, uint32_t) override { Ring::current()->stop(); }
  } nop;
  home.send_msg(*away_ring, &nop, 0);
  io_uring_submit(home.raw());
  t.join();
  EXPECT_GE(ping.hops, 10);
}

}  // namespace
}  // namespace runnel::io
