// Connection's memory bounds: large pipelined requests are handed on only while the bytes in
// flight stay within the per-connection budget, and reading stops while too many wait.
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <thread>
#include <vector>

#include "broker/io/buffer_ring.h"
#include "broker/io/ring.h"
#include "broker/io/task_group.h"
#include "broker/net/connection.h"

namespace runnel::net {
namespace {

struct Sink : FrameSink {
  std::vector<uint64_t> seqs;
  std::vector<size_t> sizes;
  void on_frame(Connection&, uint64_t seq, std::vector<uint8_t> frame) override {
    seqs.push_back(seq);
    sizes.push_back(frame.size());
  }
  void on_closed(Connection&) override {}
};

io::Task<void> nap(io::Ring& ring, int ms) { co_await ring.sleep_for(std::chrono::milliseconds(ms)); }

bool write_all(int fd, const uint8_t* p, size_t n) {
  while (n > 0) {
    ssize_t w = ::write(fd, p, n);
    if (w <= 0) return false;
    p += w;
    n -= size_t(w);
  }
  return true;
}

TEST(ConnectionBudget, LargeRequestsAreHandedOnWithinTheInFlightByteBudget) {
  constexpr size_t kFrame = 1 << 20;
  constexpr int kFrames = 10;
  io::Ring ring;
  io::BufferRing buffers(ring, 3, 16, 64 * 1024);
  int sv[2];
  ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
  Sink sink;
  auto conn = std::make_unique<Connection>(ring, buffers, sink, sv[0], 1, Connection::Limits{}, "test");
  io::TaskGroup owner;  // run() ends once the connection is closed and idle
  owner.spawn(conn->run());
  std::thread client([fd = sv[1]] {
    std::vector<uint8_t> frame(4 + kFrame, 0x5a);
    frame[0] = 0;
    frame[1] = uint8_t(kFrame >> 16);
    frame[2] = 0;
    frame[3] = 0;
    for (int i = 0; i < kFrames; ++i) {
      if (!write_all(fd, frame.data(), frame.size())) return;
    }
  });
  ring.block_on(nap(ring, 300));
  // 4 MiB in flight: four 1 MiB requests, although the count limit (64) would allow all ten.
  ASSERT_EQ(sink.seqs.size(), 4u);
  for (size_t s : sink.sizes) EXPECT_EQ(s, kFrame);
  // Each answer lets exactly one more through.
  for (int answered = 0; answered < kFrames; ++answered) {
    conn->respond(sink.seqs[size_t(answered)], {});
    ring.block_on(nap(ring, 100));
    EXPECT_EQ(sink.seqs.size(), size_t(std::min(kFrames, 5 + answered))) << "after " << answered + 1 << " answers";
  }
  client.join();
  ::close(sv[1]);
  conn->close(CloseReason::shutdown);
  ring.block_on([&]() -> io::Task<void> { co_await owner.close(); }());
}

}  // namespace
}  // namespace runnel::net
