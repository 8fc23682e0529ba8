// PeerClient against a real runnel-broker child process: pipelined requests beyond the
// in-flight limit each get their own response, and a peer killed with requests on the wire
// fails them with `disconnected`, then serves again through a reconnect once restarted.
#include <gtest/gtest.h>

#include <signal.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "broker/io/ring.h"
#include "broker/net/peer_client.h"
#include "broker/protocol/generated/api_versions_request.h"
#include "broker/protocol/generated/api_versions_response.h"
#include "broker/protocol/generated/metadata_request.h"
#include "broker/protocol/generated/metadata_response.h"
#include "tests/unit/net_client/test_support.h"

namespace runnel::net {
namespace {

using namespace testing;
using protocol::ApiVersionsRequest;
using protocol::ApiVersionsResponse;
using protocol::MetadataRequest;
using protocol::MetadataResponse;

constexpr int16_t kUnknownTopicOrPartition = 3;

io::Task<Result<ApiVersionsResponse>> api_versions(PeerClient& client, int16_t version, Clock::duration timeout) {
  // A named request: GCC 12 mis-destroys temporaries bound to references in a co_await.
  const ApiVersionsRequest request = test_api_versions_request();
  co_return co_await client.call<ApiVersionsResponse>(request, version, Clock::now() + timeout);
}

std::string tail(const std::filesystem::path& log) {
  std::ifstream in(log);
  std::stringstream s;
  s << in.rdbuf();
  std::string text = s.str();
  return text.size() > 4000 ? text.substr(text.size() - 4000) : text;
}

// Calls ApiVersions until the broker answers (it is starting). False after `within`.
bool wait_ready(io::Ring& ring, PeerClient& client, BrokerProcess& broker, Clock::duration within) {
  const auto until = Clock::now() + within;
  while (Clock::now() < until) {
    if (broker.exited()) return false;
    auto r = ring.block_on(api_versions(client, 3, 5s));
    if (r.has_value() && r.value().error_code == 0) return true;
    if (!r.has_value() && r.error() != NetError::connect_failed) ring.block_on(nap(ring, 100ms));
  }
  return false;
}

class PeerClientBroker : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string name = ::testing::UnitTest::GetInstance()->current_test_info()->name();
    broker_ = std::make_unique<BrokerProcess>(free_port(), temp_dir(name));
    broker_->start();
  }
  void TearDown() override {
    broker_->stop();
    if (HasFailure()) {
      std::cerr << "---- broker log tail ----\n" << tail(broker_->log_path()) << "\n";
    } else {
      std::filesystem::remove_all(broker_->dir());
    }
  }
  PeerAddress address() const { return PeerAddress{"127.0.0.1", broker_->port()}; }

  std::unique_ptr<BrokerProcess> broker_;
};

TEST_F(PeerClientBroker, PipelinedRequestsBeyondTheInFlightLimitEachGetTheirOwnResponse) {
  io::Ring ring;
  PeerClient::Options options;
  options.max_in_flight = 4;
  PeerClient client(ring, address(), options);
  CloseOnExit closer(ring, client);
  ASSERT_TRUE(wait_ready(ring, client, *broker_, 120s)) << "broker did not start";
  const uint64_t connects = client.stats().connects;

  // Every third caller asks ApiVersions at its own version; the others ask Metadata for a topic
  // named after themselves (it does not exist, so the answer names it with an error).
  constexpr int kCalls = 90;
  std::vector<std::string> problems(kCalls);
  int done = 0;
  size_t max_in_flight_seen = 0;
  auto caller = [](PeerClient& c, int i, std::string& problem, int& d, size_t& seen) -> io::Task<void> {
    const auto deadline = Clock::now() + 60s;
    if (i % 3 == 0) {
      const auto version = static_cast<int16_t>(i % 4);
      const ApiVersionsRequest request = test_api_versions_request();
      auto r = co_await c.call<ApiVersionsResponse>(request, version, deadline);
      if (!r.has_value()) {
        problem = std::string("ApiVersions failed: ") + name(r.error());
      } else if (r.value().error_code != 0 || r.value().api_keys.empty()) {
        problem = "ApiVersions error " + std::to_string(r.value().error_code);
      }
    } else {
      const auto version = static_cast<int16_t>(i % 2 == 0 ? 12 : 4);
      const std::string topic = "caller-" + std::to_string(i);
      MetadataRequest request;
      request.topics.emplace();
      request.topics->emplace_back().name = topic;
      request.allow_auto_topic_creation = false;
      auto r = co_await c.call<MetadataResponse>(request, version, deadline);
      if (!r.has_value()) {
        problem = std::string("Metadata failed: ") + name(r.error());
      } else if (r.value().topics.size() != 1 || r.value().topics[0].name != topic ||
                 r.value().topics[0].error_code != kUnknownTopicOrPartition) {
        problem = "Metadata answer for another caller: " +
                  (r.value().topics.empty() ? std::string("no topics") : r.value().topics[0].name.value_or("null"));
      }
    }
    seen = std::max(seen, c.in_flight());
    ++d;
  };
  for (int i = 0; i < kCalls; ++i) ring.spawn(caller(client, i, problems[size_t(i)], done, max_in_flight_seen));
  // Everything is queued before the writer runs: the queue, not the socket, holds the excess.
  EXPECT_EQ(client.waiting(), size_t(kCalls));
  const auto until = Clock::now() + 120s;
  while (done < kCalls && Clock::now() < until) ring.block_on(nap(ring, 5ms));
  ASSERT_EQ(done, kCalls);
  for (int i = 0; i < kCalls; ++i) EXPECT_EQ(problems[size_t(i)], "") << "caller " << i;
  EXPECT_LE(max_in_flight_seen, 4u);
  EXPECT_EQ(client.stats().connects, connects) << "one connection carried them all";
  ring.block_on(client.close());
}

TEST_F(PeerClientBroker, PeerKilledWithRequestsInFlightFailsThemAndARestartedPeerIsReachedAgain) {
  io::Ring ring;
  PeerClient::Options options;
  options.max_in_flight = 5;
  options.reconnect_backoff = {50ms, 500ms, 0.2};
  PeerClient client(ring, address(), options);
  CloseOnExit closer(ring, client);
  ASSERT_TRUE(wait_ready(ring, client, *broker_, 120s)) << "broker did not start";

  // Freeze the broker so that requests stay unanswered on the wire, then kill it.
  broker_->freeze();
  constexpr int kCalls = 8;  // five on the wire, three queued
  std::vector<std::optional<NetError>> errors(kCalls);
  int done = 0;
  for (int i = 0; i < kCalls; ++i) {
    ring.spawn([](PeerClient& c, std::optional<NetError>& e, int& d) -> io::Task<void> {
      auto r = co_await api_versions(c, 3, 60s);
      if (!r.has_value()) e = r.error();
      ++d;
    }(client, errors[size_t(i)], done));
  }
  const auto sent_by = Clock::now() + 30s;
  const uint64_t sent_before = client.stats().requests_sent;
  while (client.stats().requests_sent < sent_before + 5 && Clock::now() < sent_by) ring.block_on(nap(ring, 5ms));
  ASSERT_EQ(client.stats().requests_sent, sent_before + 5);
  EXPECT_EQ(client.in_flight(), 5u);
  EXPECT_EQ(client.waiting(), 3u);
  broker_->kill9();

  const auto failed_by = Clock::now() + 30s;
  while (done < kCalls && Clock::now() < failed_by) ring.block_on(nap(ring, 5ms));
  ASSERT_EQ(done, kCalls);
  // The five on the wire were lost with the connection; the three queued went to the reconnect
  // attempt, which the dead port refused.
  for (int i = 0; i < 5; ++i) EXPECT_EQ(errors[size_t(i)], NetError::disconnected) << "call " << i;
  for (int i = 5; i < kCalls; ++i) EXPECT_EQ(errors[size_t(i)], NetError::connect_failed) << "call " << i;

  // While the peer is down, calls fail with connect_failed, paced by the backoff.
  const auto down_start = Clock::now();
  auto down = ring.block_on(api_versions(client, 3, 30s));
  ASSERT_FALSE(down.has_value());
  EXPECT_EQ(down.error(), NetError::connect_failed);
  EXPECT_LT(Clock::now() - down_start, 5s);

  const uint64_t connects_before = client.stats().connects;
  const uint64_t attempts_before = client.stats().connect_attempts;
  broker_->start();
  ASSERT_TRUE(wait_ready(ring, client, *broker_, 120s)) << "restarted broker not reached";
  EXPECT_GE(client.stats().connects, connects_before + 1);
  EXPECT_GT(client.stats().connect_attempts, attempts_before);
  auto after = ring.block_on(api_versions(client, 3, 30s));
  EXPECT_TRUE(after.has_value());
  ring.block_on(client.close());
}

}  // namespace
}  // namespace runnel::net
