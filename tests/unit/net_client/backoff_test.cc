// Backoff: exponential growth from the initial delay, capped at max, jitter within its bounds.
#include "broker/net/backoff.h"

#include <gtest/gtest.h>

#include "broker/net/peer_address.h"

namespace runnel::net {
namespace {

using namespace std::chrono_literals;

TEST(Backoff, DoublesFromTheInitialDelayUpToTheMaxWithBoundedJitter) {
  Backoff backoff({100ms, 1000ms, 0.2}, 7);
  EXPECT_EQ(backoff.delay(0), 0ms);
  for (int round = 0; round < 200; ++round) {
    const std::chrono::milliseconds expected[] = {100ms, 200ms, 400ms, 800ms, 1000ms, 1000ms};
    for (uint32_t n = 1; n <= 6; ++n) {
      const auto d = backoff.delay(n);
      EXPECT_GE(d, expected[n - 1] * 8 / 10 - 1ms) << "failure " << n;
      EXPECT_LE(d, std::min(expected[n - 1] * 12 / 10, 1000ms)) << "failure " << n;
    }
    EXPECT_LE(backoff.delay(1000), 1000ms) << "no overflow after many failures";
  }
}

TEST(Backoff, JitterSpreadsClientsApart) {
  Backoff a({100ms, 1000ms, 0.2}, 1), b({100ms, 1000ms, 0.2}, 2);
  int different = 0;
  for (int i = 0; i < 20; ++i) different += a.delay(3) != b.delay(3);
  EXPECT_GT(different, 10);
}

TEST(PeerAddress, ParsesHostPortAndBracketedIpv6) {
  auto a = PeerAddress::parse("broker-1.kafka:9092");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->host, "broker-1.kafka");
  EXPECT_EQ(a->port, 9092);
  auto b = PeerAddress::parse("[::1]:9093");
  ASSERT_TRUE(b);
  EXPECT_EQ(b->host, "::1");
  EXPECT_EQ(b->to_string(), "[::1]:9093");
  ASSERT_TRUE(b->numeric());
  EXPECT_EQ(b->numeric()->storage.ss_family, AF_INET6);
  EXPECT_EQ(PeerAddress::parse("10.0.0.7:1")->numeric()->storage.ss_family, AF_INET);
  EXPECT_FALSE(PeerAddress::parse("host"));
  EXPECT_FALSE(PeerAddress::parse("host:0"));
  EXPECT_FALSE(PeerAddress::parse("host:65536"));
  EXPECT_FALSE(PeerAddress::parse("::1:9092"));
  EXPECT_FALSE(PeerAddress::parse(":9092"));
  EXPECT_FALSE(PeerAddress::parse("host:92x"));
  EXPECT_FALSE(PeerAddress::parse("broker-1.kafka:9092")->numeric());
}

}  // namespace
}  // namespace runnel::net
