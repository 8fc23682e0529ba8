// operator/app: flags and the health endpoints.
#include <gtest/gtest.h>
#include <httplib.h>

#include <atomic>

#include "operator/app/flags.h"
#include "operator/app/health_server.h"

namespace runnel::operator_app {
namespace {

TEST(Flags, DefaultsAndEveryFlag) {
  FlagParse d = parse_flags({});
  ASSERT_TRUE(d.has_value());
  EXPECT_EQ(d->metrics_bind_address, ":8080");
  EXPECT_EQ(d->health_probe_bind_address, ":8081");
  EXPECT_EQ(d->leader_election_id, "runnel-operator");
  EXPECT_FALSE(d->leader_elect);
  EXPECT_TRUE(d->namespaces.empty());

  FlagParse p = parse_flags({"--kubeconfig", "/k", "--namespace=a,b", "--namespace", "c",
                             "--metrics-bind-address=127.0.0.1:9000",
                             "--health-probe-bind-address", "0", "--leader-elect",
                             "--leader-election-namespace", "sys", "--leader-election-id=x",
                             "--workers", "3"});
  ASSERT_TRUE(p.has_value()) << p.error();
  EXPECT_EQ(p->kubeconfig, "/k");
  EXPECT_EQ(p->namespaces, (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(p->metrics_bind_address, "127.0.0.1:9000");
  EXPECT_TRUE(p->leader_elect);
  EXPECT_EQ(p->leader_election_namespace, "sys");
  EXPECT_EQ(p->leader_election_id, "x");
  EXPECT_EQ(p->workers, 3);
  EXPECT_TRUE(parse_flags({"--help"}).value().help);
  EXPECT_TRUE(parse_flags({"--version"}).value().version);
  EXPECT_FALSE(parse_flags({"--leader-elect=false"}).value().leader_elect);
}

TEST(Flags, Errors) {
  EXPECT_NE(parse_flags({"--bogus"}).error().find("unknown flag"), std::string::npos);
  EXPECT_FALSE(parse_flags({"--kubeconfig"}).has_value());
  EXPECT_FALSE(parse_flags({"positional"}).has_value());
  EXPECT_FALSE(parse_flags({"--metrics-bind-address", "nope"}).has_value());
  EXPECT_FALSE(parse_flags({"--leader-elect=maybe"}).has_value());
  EXPECT_FALSE(parse_flags({"--workers", "0"}).has_value());
  EXPECT_FALSE(parse_flags({"--resync-period", "0"}).has_value());
  EXPECT_FALSE(parse_flags({"--resync-period", "5m"}).has_value());
}

TEST(Flags, ResyncPeriod) {
  EXPECT_EQ(parse_flags({}).value().resync_seconds, 0);
  EXPECT_EQ(parse_flags({"--resync-period", "5"}).value().resync_seconds, 5);
  EXPECT_EQ(parse_flags({"--resync-period=90s"}).value().resync_seconds, 90);
}

TEST(Flags, BindAddresses) {
  std::optional<BindAddress> b = parse_bind_address(":8080");
  ASSERT_TRUE(b.has_value());
  EXPECT_EQ(b->host, "0.0.0.0");
  EXPECT_EQ(b->port, 8080);
  b = parse_bind_address("[::1]:9");
  ASSERT_TRUE(b.has_value());
  EXPECT_EQ(b->host, "::1");
  b = parse_bind_address("0");
  ASSERT_TRUE(b.has_value());
  EXPECT_EQ(b->port, 0);
  EXPECT_FALSE(parse_bind_address(":99999").has_value());
  EXPECT_FALSE(parse_bind_address("8080").has_value());
}

TEST(HealthServer, ReportsLivenessAndReadiness) {
  std::atomic<bool> ready{false};
  HealthServer server([] { return true; }, [&] { return ready.load(); });
  ASSERT_TRUE(server.start("127.0.0.1", 0));
  httplib::Client c("127.0.0.1", server.port());
  auto healthz = c.Get("/healthz");
  ASSERT_TRUE(healthz);
  EXPECT_EQ(healthz->status, 200);
  EXPECT_EQ(c.Get("/readyz")->status, 500);
  ready = true;
  EXPECT_EQ(c.Get("/readyz")->status, 200);
  EXPECT_EQ(c.Get("/other")->status, 404);
  server.stop();
}

}  // namespace
}  // namespace runnel::operator_app
