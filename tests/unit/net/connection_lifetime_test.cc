// Connection's lifetime: run() ends only once the connection is closed and nothing refers to it
// (a request handed to the sink and not yet answered keeps it), a graceful close sends the
// answers already given first, and destroying a connection in use asserts.
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
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

// A running connection over a socket pair whose first request has reached the sink.
class ConnectionLifetime : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
    conn = std::make_unique<Connection>(ring, buffers, sink, sv[0], 1, Connection::Limits{}, "test");
    owner.spawn(conn->run());
    send_request();
    ASSERT_EQ(sink.seqs.size(), 1u);
  }
  void TearDown() override { ::close(sv[1]); }
  void send_request() {
    const uint8_t request[] = {0, 0, 0, 2, 0xab, 0xcd};
    ASSERT_EQ(::write(sv[1], request, sizeof request), ssize_t(sizeof request));
    ring.block_on(nap(ring, 20));
  }
  void join() {
    ring.block_on([&]() -> io::Task<void> { co_await owner.close(); }());
  }

  io::Ring ring;
  io::BufferRing buffers{ring, 3, 16, 64 * 1024};
  int sv[2] = {-1, -1};
  Sink sink;
  std::unique_ptr<Connection> conn;
  io::TaskGroup owner;  // declared after conn: destroyed first, once run() has ended
};

TEST_F(ConnectionLifetime, RunEndsOnlyAfterCloseAndTheLastAnswer) {
  conn->close(CloseReason::shutdown);
  EXPECT_EQ(sink.closed, 1);
  ring.block_on(nap(ring, 20));
  EXPECT_EQ(owner.alive(), 1u);  // the request still uses the connection
  conn->respond(sink.seqs[0], {});  // legal after close; nothing is sent
  join();
  EXPECT_EQ(owner.alive(), 0u);
}

TEST_F(ConnectionLifetime, CloseWhenSentDeliversTheAnswersGivenThenCloses) {
  conn->close_when_sent(CloseReason::shutdown);
  EXPECT_FALSE(conn->closed());  // the request is not answered yet
  send_request();
  EXPECT_EQ(sink.seqs.size(), 1u);  // no longer reading
  conn->respond(sink.seqs[0], {0, 0, 0, 1, 0x42});
  join();
  EXPECT_TRUE(conn->closed());
  EXPECT_EQ(sink.closed, 1);
  uint8_t got[16];
  EXPECT_EQ(::read(sv[1], got, sizeof got), 5);  // the answer, then end of stream
  EXPECT_EQ(got[4], 0x42);
  EXPECT_EQ(::read(sv[1], got, sizeof got), 0);
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
