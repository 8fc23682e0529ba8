// Connection's lifetime: run() ends only once the connection is closed and nothing refers to it
// (a request handed to the sink and not yet answered keeps it), and destroying one in use asserts.
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <vector>

#include "broker/io/buffer_ring.h"
#include "broker/io/ring.h"
#include "broker/io/task_group.h"
#include "broker/net/connection.h"

namespace runnel::net {
namespace {

struct Sink : FrameSink {
  std::vector<uint64_t> seqs;
  int closed = 0;
  void on_frame(Connection&, uint64_t seq, std::vector<uint8_t>) override { seqs.push_back(seq); }
  void on_closed(Connection&) override { ++closed; }
};

io::Task<void> nap(io::Ring& ring, int ms) { co_await ring.sleep_for(std::chrono::milliseconds(ms)); }

TEST(ConnectionLifetime, RunEndsOnlyAfterCloseAndTheLastAnswer) {
  io::Ring ring;
  io::BufferRing buffers(ring, 3, 16, 64 * 1024);
  int sv[2];
  ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
  Sink sink;
  Connection conn(ring, buffers, sink, sv[0], 1, Connection::Limits{}, "test");
  io::TaskGroup owner;
  owner.spawn(conn.run());
  const uint8_t request[] = {0, 0, 0, 2, 0xab, 0xcd};
  ASSERT_EQ(::write(sv[1], request, sizeof request), ssize_t(sizeof request));
  ring.block_on(nap(ring, 20));
  ASSERT_EQ(sink.seqs.size(), 1u);

  conn.close(CloseReason::shutdown);
  EXPECT_EQ(sink.closed, 1);
  ring.block_on(nap(ring, 20));
  EXPECT_EQ(owner.alive(), 1u);  // the request still uses the connection
  conn.respond(sink.seqs[0], {});  // legal after close; nothing is sent
  ring.block_on([&]() -> io::Task<void> { co_await owner.close(); }());
  EXPECT_EQ(owner.alive(), 0u);
  ::close(sv[1]);
}

TEST(ConnectionLifetimeDeathTest, DestroyingAConnectionInUseAsserts) {
  EXPECT_DEATH(
      {
        io::Ring ring;
        io::BufferRing buffers(ring, 3, 16, 64 * 1024);
        int sv[2];
        if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) return;
        Sink sink;
        Connection conn(ring, buffers, sink, sv[0], 1, Connection::Limits{}, "test");  // never closed
      },
      "connection 1 destroyed in use: closed 0");
}

}  // namespace
}  // namespace runnel::net
