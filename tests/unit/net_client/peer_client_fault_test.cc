// PeerClient against peers that misbehave: one that accepts and never answers (deadlines,
// re-establishing the connection, close() with calls pending), a port nobody listens on
// (connect_failed at once, then backoff between attempts), and a peer whose SYNs are dropped
// (the connect timeout). No broker needed.
#include <gtest/gtest.h>

#include <cerrno>
#include <chrono>
#include <memory>
#include <vector>

#include "broker/io/ring.h"
#include "broker/net/peer_client.h"
#include "broker/protocol/generated/api_versions_request.h"
#include "broker/protocol/generated/api_versions_response.h"
#include "tests/unit/net_client/test_support.h"

namespace runnel::net {
namespace {

using namespace testing;
using protocol::ApiVersionsRequest;
using protocol::ApiVersionsResponse;

io::Task<Result<ApiVersionsResponse>> api_versions(PeerClient& client, Clock::duration timeout) {
  // A named request: GCC 12 mis-destroys temporaries bound to references in a co_await.
  const ApiVersionsRequest request = test_api_versions_request();
  co_return co_await client.call<ApiVersionsResponse>(request, 3, Clock::now() + timeout);
}

PeerAddress local(uint16_t port) { return PeerAddress{"127.0.0.1", port}; }

// Starts an ApiVersions call that records its error (if any) and counts itself done.
void spawn_call(io::Ring& ring, PeerClient& client, Clock::duration timeout, std::optional<NetError>& error,
                int& done) {
  ring.spawn([](PeerClient& c, Clock::duration t, std::optional<NetError>& e, int& d) -> io::Task<void> {
    auto r = co_await api_versions(c, t);
    if (!r.has_value()) e = r.error();
    ++d;
  }(client, timeout, error, done));
}

TEST(PeerClientFaults, CallsToAPeerThatNeverAnswersTimeOutAndTheConnectionIsReestablished) {
  io::Ring ring;
  SilentPeer peer;
  PeerClient client(ring, local(peer.port()), PeerClient::Options{});
  CloseOnExit closer(ring, client);

  // Three requests on the wire with increasing deadlines: the first to expire fails with
  // `timeout` and takes the connection down, so the other two fail with `disconnected` then,
  // well before their own deadlines.
  std::vector<std::optional<NetError>> errors(3);
  std::vector<Clock::duration> took(3);
  const auto start = Clock::now();
  ring.block_on(fan_out(ring, 3, [&](int i) -> io::Task<void> {
    auto r = co_await api_versions(client, 400ms + i * 20s);
    if (!r.has_value()) errors[size_t(i)] = r.error();
    took[size_t(i)] = Clock::now() - start;
  }));
  EXPECT_EQ(errors[0], NetError::timeout);
  EXPECT_EQ(errors[1], NetError::disconnected);
  EXPECT_EQ(errors[2], NetError::disconnected);
  EXPECT_GE(took[0], 400ms);
  EXPECT_LT(took[2], 10s) << "the others fail with the connection, not at their own deadlines";
  EXPECT_EQ(client.stats().timeouts, 1u);
  EXPECT_EQ(client.stats().connects, 1u);

  // The next call opens a new connection (the silent peer sees a second accept) and times out too.
  auto again = ring.block_on(api_versions(client, 300ms));
  ASSERT_FALSE(again.has_value());
  EXPECT_EQ(again.error(), NetError::timeout);
  EXPECT_EQ(client.stats().connects, 2u);
  const auto accepted_by = Clock::now() + 10s;
  while (peer.accepted() < 2 && Clock::now() < accepted_by) ring.block_on(nap(ring, 10ms));
  EXPECT_EQ(peer.accepted(), 2);

  ring.block_on(client.close());
}

TEST(PeerClientFaults, CloseFailsQueuedAndInFlightCallsWithClosed) {
  io::Ring ring;
  SilentPeer peer;
  PeerClient::Options options;
  options.max_in_flight = 2;
  PeerClient client(ring, local(peer.port()), options);
  CloseOnExit closer(ring, client);

  constexpr int kCalls = 5;  // two on the wire, three queued
  std::vector<std::optional<NetError>> errors(kCalls);
  int done = 0;
  for (int i = 0; i < kCalls; ++i) spawn_call(ring, client, 60s, errors[size_t(i)], done);
  const auto sent_by = Clock::now() + 20s;
  while (client.stats().requests_sent < 2 && Clock::now() < sent_by) ring.block_on(nap(ring, 5ms));
  ASSERT_EQ(client.stats().requests_sent, 2u);
  EXPECT_EQ(client.in_flight(), 2u);
  EXPECT_EQ(client.waiting(), 3u);

  ring.block_on(client.close());
  ring.block_on(nap(ring, 1ms));  // callers resume on the next pass
  EXPECT_EQ(done, kCalls);
  for (const auto& e : errors) EXPECT_EQ(e, NetError::closed);
  auto after = ring.block_on(api_versions(client, 1s));
  ASSERT_FALSE(after.has_value());
  EXPECT_EQ(after.error(), NetError::closed);
}

TEST(PeerClientFaults, QueueBeyondItsBoundFailsAtOnceWithTooManyWaiting) {
  io::Ring ring;
  SilentPeer peer;
  PeerClient::Options options;
  options.max_waiting = 4;
  PeerClient client(ring, local(peer.port()), options);
  CloseOnExit closer(ring, client);
  std::vector<std::optional<NetError>> errors(5);
  int done = 0;
  // Spawned tasks run until they suspend: the queue fills before anything connects.
  for (int i = 0; i < 5; ++i) spawn_call(ring, client, 60s, errors[size_t(i)], done);
  EXPECT_EQ(client.waiting(), 4u);
  ring.block_on(nap(ring, 1ms));
  EXPECT_EQ(errors[4], NetError::too_many_waiting);
  ring.block_on(client.close());
  ring.block_on(nap(ring, 1ms));
  EXPECT_EQ(done, 5);
  for (int i = 0; i < 4; ++i) EXPECT_EQ(errors[size_t(i)], NetError::closed);
}

TEST(PeerClientFaults, ResponsesThatBreakTheFramingFailWithBadResponseAndCloseTheConnection) {
  const std::vector<std::vector<uint8_t>> replies = {
      {0, 0, 0, 8, 0, 0, 0x30, 0x39, 0, 0, 0, 0},  // correlation id 12345: nobody asked
      {0x7f, 0xff, 0xff, 0xff},                     // a 2 GiB frame, over max_response_bytes
      {0, 0, 0, 2, 0, 0},                           // too short to hold a correlation id
  };
  for (const auto& reply : replies) {
    io::Ring ring;
    SilentPeer peer(reply);
    PeerClient client(ring, local(peer.port()), PeerClient::Options{});
    CloseOnExit closer(ring, client);
    auto r = ring.block_on(api_versions(client, 30s));
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error(), NetError::bad_response);
    EXPECT_EQ(client.stats().disconnects, 1u);
    ring.block_on(client.close());
  }
}

TEST(PeerClientFaults, RefusedConnectionsFailFastAndAttemptsBackOffExponentially) {
  io::Ring ring;
  PeerClient::Options options;
  options.reconnect_backoff = {100ms, 400ms, 0.2};
  options.backoff_seed = 42;
  PeerClient client(ring, local(free_port()), options);
  CloseOnExit closer(ring, client);

  // A caller retrying in a loop for 2.5 s: each call waits for the next attempt, which is refused.
  std::vector<Clock::time_point> failed_at;
  const auto start = Clock::now();
  ring.block_on([](PeerClient& c, std::vector<Clock::time_point>& at, Clock::time_point t0) -> io::Task<void> {
    while (Clock::now() - t0 < 2500ms) {
      auto r = co_await api_versions(c, 30s);
      EXPECT_FALSE(r.has_value());
      if (!r.has_value()) {
        EXPECT_EQ(r.error(), NetError::connect_failed);
      }
      at.push_back(Clock::now());
    }
  }(client, failed_at, start));

  ASSERT_FALSE(failed_at.empty());
  EXPECT_LT(failed_at[0] - start, 2s) << "a refused connection fails at once";
  EXPECT_EQ(client.stats().last_connect_error, -ECONNREFUSED);
  EXPECT_EQ(client.stats().connect_attempts, failed_at.size());
  // Backoff 100, 200, 400, 400, ... ms (-20 % jitter at most, never over 400): at most 11
  // attempts in 2.5 s, where a loop without backoff would make thousands. Gaps between attempts
  // only grow on a loaded machine; the floors leave room for a slow refused connect before them.
  EXPECT_GE(failed_at.size(), 3u);
  EXPECT_LE(failed_at.size(), 12u);
  const std::chrono::milliseconds floor[] = {60ms, 120ms, 250ms};
  for (size_t i = 1; i < failed_at.size(); ++i) {
    EXPECT_GE(failed_at[i] - failed_at[i - 1], floor[std::min<size_t>(i - 1, 2)]) << "gap before attempt " << i + 1;
  }
  ring.block_on(client.close());
}

// A peer whose SYNs are dropped, and a client of it with the given connect timeout.
class PeerClientBlackHole : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!peer_.full()) GTEST_SKIP() << "could not fill the listener's accept queue";
  }
  std::unique_ptr<PeerClient> client(std::chrono::milliseconds connect_timeout) {
    PeerClient::Options options;
    options.connect_timeout = connect_timeout;
    return std::make_unique<PeerClient>(ring_, local(peer_.port()), options);
  }
  FullBacklogPeer peer_;
  io::Ring ring_;
};

TEST_F(PeerClientBlackHole, ConnectThatGetsNoAnswerFailsAtTheConnectTimeout) {
  io::Ring& ring = ring_;
  auto owned = client(300ms);
  PeerClient& client = *owned;
  CloseOnExit closer(ring, client);
  const auto start = Clock::now();
  auto r = ring.block_on(api_versions(client, 30s));
  const auto took = Clock::now() - start;
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error(), NetError::connect_failed);
  EXPECT_EQ(client.stats().last_connect_error, -ETIMEDOUT);
  EXPECT_GE(took, 300ms);
  EXPECT_LT(took, 10s);
  ring.block_on(client.close());
}

TEST_F(PeerClientBlackHole, CloseDuringAConnectAttemptCancelsIt) {
  io::Ring& ring = ring_;
  auto owned = client(60s);
  PeerClient& client = *owned;
  CloseOnExit closer(ring, client);
  std::optional<NetError> error;
  int done = 0;
  spawn_call(ring, client, 60s, error, done);
  ring.block_on(nap(ring, 100ms));
  const auto start = Clock::now();
  ring.block_on(client.close());
  EXPECT_LT(Clock::now() - start, 5s);
  ring.block_on(nap(ring, 1ms));
  EXPECT_EQ(done, 1);
  EXPECT_EQ(error, NetError::closed);
}

TEST(PeerClientFaults, OversizedRequestAndUnknownVersionFailAtOnce) {
  io::Ring ring;
  PeerClient::Options options;
  options.max_request_bytes = 1024;
  PeerClient client(ring, local(free_port()), options);
  CloseOnExit closer(ring, client);
  auto big = ring.block_on(client.call(18, 3, std::vector<uint8_t>(2048, 0), Clock::now() + 10s));
  ASSERT_FALSE(big.has_value());
  EXPECT_EQ(big.error(), NetError::request_too_large);
  auto unknown = ring.block_on(client.call(9999, 0, {}, Clock::now() + 10s));
  ASSERT_FALSE(unknown.has_value());
  EXPECT_EQ(unknown.error(), NetError::unsupported_version);
  EXPECT_EQ(client.stats().connect_attempts, 0u);
  ring.block_on(client.close());
}

}  // namespace
}  // namespace runnel::net
