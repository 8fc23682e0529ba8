// Responses with external parts (Fetch records sent from their own buffers): the bytes on the
// wire are each response's bytes with its external parts in place, responses in request order,
// across partial sends (a small socket buffer forces many), and the kept buffers stay valid
// until sent.
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
  void on_frame(Connection&, uint64_t seq, std::vector<uint8_t>) override { seqs.push_back(seq); }
  void on_closed(Connection&) override {}
};

io::Task<void> nap(io::Ring& ring, int ms) { co_await ring.sleep_for(std::chrono::milliseconds(ms)); }

ByteBuffer filled(size_t n, uint8_t seed) {
  ByteBuffer b(n);
  for (size_t i = 0; i < n; ++i) b[i] = uint8_t(seed + i * 31);
  return b;
}

std::vector<uint8_t> filled_vec(size_t n, uint8_t seed) {
  ByteBuffer b = filled(n, seed);
  return {b.begin(), b.end()};
}

TEST(ConnectionExternal, ExternalPartsGoOutInPlaceAndInRequestOrder) {
  io::Ring ring;
  io::BufferRing buffers(ring, 3, 16, 64 * 1024);
  int sv[2];
  ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
  int small = 4096;  // many partial sends
  ASSERT_EQ(::setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &small, sizeof small), 0);
  Sink sink;
  auto conn = std::make_unique<Connection>(ring, buffers, sink, sv[0], 1, Connection::Limits{}, "test");
  io::TaskGroup owner;  // run() ends once the connection is closed and idle
  owner.spawn(conn->run());
  const uint8_t request[] = {0, 0, 0, 2, 0xab, 0xcd};
  for (int i = 0; i < 3; ++i) ASSERT_EQ(::write(sv[1], request, sizeof request), ssize_t(sizeof request));
  ring.block_on(nap(ring, 50));
  ASSERT_EQ(sink.seqs.size(), 3u);

  // Response 0: bytes | external 200000 | bytes | external 70000 (at the very end).
  std::vector<uint8_t> bytes0 = filled_vec(300, 1);
  std::vector<ByteBuffer> keep0;
  keep0.push_back(filled(200000, 2));
  keep0.push_back(filled(70000, 3));
  std::vector<protocol::ExternalBytes> ext0{{100, keep0[0].data(), keep0[0].size()},
                                            {300, keep0[1].data(), keep0[1].size()}};
  // Response 1: plain bytes. Response 2: an external part at the very start, then bytes.
  std::vector<uint8_t> bytes1 = filled_vec(5000, 4);
  std::vector<uint8_t> bytes2 = filled_vec(10, 5);
  std::vector<ByteBuffer> keep2;
  keep2.push_back(filled(90000, 6));
  std::vector<protocol::ExternalBytes> ext2{{0, keep2[0].data(), keep2[0].size()}};

  std::vector<uint8_t> want;
  want.insert(want.end(), bytes0.begin(), bytes0.begin() + 100);
  want.insert(want.end(), keep0[0].begin(), keep0[0].end());
  want.insert(want.end(), bytes0.begin() + 100, bytes0.end());
  want.insert(want.end(), keep0[1].begin(), keep0[1].end());
  want.insert(want.end(), bytes1.begin(), bytes1.end());
  want.insert(want.end(), keep2[0].begin(), keep2[0].end());
  want.insert(want.end(), bytes2.begin(), bytes2.end());

  std::vector<uint8_t> got;
  std::thread reader([&got, fd = sv[1], n = want.size()] {
    std::vector<uint8_t> buf(65536);
    while (got.size() < n) {
      std::this_thread::sleep_for(std::chrono::microseconds(200));  // let the sender fill up
      ssize_t r = ::read(fd, buf.data(), buf.size());
      if (r <= 0) return;
      got.insert(got.end(), buf.begin(), buf.begin() + r);
    }
  });
  // Out of order: the last request's response is ready first and must wait for the others.
  conn->respond(sink.seqs[2], std::move(bytes2), -1, std::move(ext2), std::move(keep2));
  conn->respond(sink.seqs[0], std::move(bytes0), -1, std::move(ext0), std::move(keep0));
  conn->respond(sink.seqs[1], std::move(bytes1));
  for (int i = 0; i < 200 && got.size() < want.size(); ++i) ring.block_on(nap(ring, 10));
  reader.join();
  ASSERT_EQ(got.size(), want.size());
  EXPECT_TRUE(got == want);
  ::close(sv[1]);
  conn->close(CloseReason::shutdown);
  ring.block_on([&]() -> io::Task<void> { co_await owner.close(); }());
}

}  // namespace
}  // namespace runnel::net
