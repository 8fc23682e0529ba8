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
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d.flags.metrics_bind_address, ":8080");
  EXPECT_EQ(d.flags.health_probe_bind_address, ":8081");
  EXPECT_EQ(d.flags.leader_election_id, "runnel-operator");
  EXPECT_FALSE(d.flags.leader_elect);
  EXPECT_TRUE(d.flags.namespaces.empty());

  FlagParse p = parse_flags({"--kubeconfig", "/k", "--namespace=a,b", "--namespace", "c",
                             "--metrics-bind-address=127.0.0.1:9000",
                             "--health-probe-bind-address", "0", "--leader-elect",
                             "--leader-election-namespace", "sys", "--leader-election-id=x",
                             "--workers", "3"});
  ASSERT_TRUE(p.ok()) << p.error;
  EXPECT_EQ(p.flags.kubeconfig, "/k");
  EXPECT_EQ(p.flags.namespaces, (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(p.flags.metrics_bind_address, "127.0.0.1:9000");
  EXPECT_TRUE(p.flags.leader_elect);
  EXPECT_EQ(p.flags.leader_election_namespace, "sys");
  EXPECT_EQ(p.flags.leader_election_id, "x");
  EXPECT_EQ(p.flags.workers, 3);
  EXPECT_TRUE(parse_flags({"--help"}).flags.help);
  EXPECT_TRUE(parse_flags({"--version"}).flags.version);
  EXPECT_FALSE(parse_flags({"--leader-elect=false"}).flags.leader_elect);
}

TEST(Flags, Errors) {
  EXPECT_NE(parse_flags({"--bogus"}).error.find("unknown flag"), std::string::npos);
  EXPECT_FALSE(parse_flags({"--kubeconfig"}).ok());
  EXPECT_FALSE(parse_flags({"positional"}).ok());
  EXPECT_FALSE(parse_flags({"--metrics-bind-address", "nope"}).ok());
  EXPECT_FALSE(parse_flags({"--leader-elect=maybe"}).ok());
  EXPECT_FALSE(parse_flags({"--workers", "0"}).ok());
  EXPECT_FALSE(parse_flags({"--resync-period", "0"}).ok());
  EXPECT_FALSE(parse_flags({"--resync-period", "5m"}).ok());
}

TEST(Flags, ResyncPeriod) {
  EXPECT_EQ(parse_flags({}).flags.resync_seconds, 0);
  EXPECT_EQ(parse_flags({"--resync-period", "5"}).flags.resync_seconds, 5);
  EXPECT_EQ(parse_flags({"--resync-period=90s"}).flags.resync_seconds, 90);
}

TEST(Flags, BindAddresses) {
  BindAddress b;
  ASSERT_TRUE(parse_bind_address(":8080", &b));
  EXPECT_EQ(b.host, "0.0.0.0");
  EXPECT_EQ(b.port, 8080);
  ASSERT_TRUE(parse_bind_address("[::1]:9", &b));
  EXPECT_EQ(b.host, "::1");
  ASSERT_TRUE(parse_bind_address("0", &b));
  EXPECT_EQ(b.port, 0);
  EXPECT_FALSE(parse_bind_address(":99999", &b));
  EXPECT_FALSE(parse_bind_address("8080", &b));
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
