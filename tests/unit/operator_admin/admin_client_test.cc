// The operator's admin client against a real runnel-broker process on loopback.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>

#include <gtest/gtest.h>

#include "operator/admin/admin_client.h"
#include "tests/unit/operator_admin/broker_process.h"

namespace runnel::operator_admin {
namespace {

using namespace std::chrono_literals;
using testing::BrokerProcess;

class AdminClientTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    broker_ = new BrokerProcess(RUNNEL_BROKER_BIN);
    ASSERT_TRUE(broker_->start()) << broker_->error();
  }
  static void TearDownTestSuite() {
    delete broker_;
    broker_ = nullptr;
  }
  void SetUp() override {
    ASSERT_NE(broker_, nullptr);
    auto c = connect({broker_->bootstrap()}, 5s);
    ASSERT_TRUE(c.ok()) << c.error().describe();
    client_ = std::move(c.value());
  }

  TopicDescription describe_one(const std::string& name) {
    auto d = client_->describe_topics({name});
    EXPECT_TRUE(d.ok()) << d.error().describe();
    if (!d.ok() || d.value().size() != 1) return {};
    return d.value()[0];
  }
  const ConfigEntry* find(const std::vector<ConfigEntry>& all, const std::string& key) {
    auto it = std::find_if(all.begin(), all.end(), [&](const auto& e) { return e.name == key; });
    return it == all.end() ? nullptr : &*it;
  }

  static BrokerProcess* broker_;
  std::unique_ptr<AdminClient> client_;
};
BrokerProcess* AdminClientTest::broker_ = nullptr;

TEST_F(AdminClientTest, CreateDescribeListDelete) {
  auto created = client_->create_topic("orders", 3, 1, {{"retention.ms", "3600000"}});
  ASSERT_TRUE(created.ok()) << created.error().describe();
  EXPECT_EQ(created.value().partitions, 3);
  EXPECT_FALSE(created.value().topic_id.is_zero());

  auto d = client_->describe_topics({"orders", "no-such-topic"});
  ASSERT_TRUE(d.ok()) << d.error().describe();
  ASSERT_EQ(d.value().size(), 2u);
  const auto& orders = d.value()[0].name == "orders" ? d.value()[0] : d.value()[1];
  const auto& missing = d.value()[0].name == "orders" ? d.value()[1] : d.value()[0];
  EXPECT_TRUE(orders.exists());
  EXPECT_EQ(orders.partitions, 3);
  EXPECT_EQ(orders.replication_factor, 1);
  EXPECT_EQ(orders.topic_id, created.value().topic_id);
  EXPECT_EQ(missing.error, ErrorCode::unknown_topic_or_partition);
  // Describing must not auto-create.
  EXPECT_EQ(describe_one("no-such-topic").error, ErrorCode::unknown_topic_or_partition);

  auto all = client_->list_topics();
  ASSERT_TRUE(all.ok()) << all.error().describe();
  EXPECT_TRUE(std::any_of(all.value().begin(), all.value().end(),
                          [](const auto& t) { return t.name == "orders"; }));

  auto again = client_->create_topic("orders", 3, 1, {});
  ASSERT_FALSE(again.ok());
  EXPECT_TRUE(again.error().is(ErrorCode::topic_already_exists)) << again.error().describe();

  auto deleted = client_->delete_topics({"orders", "never-existed"});
  ASSERT_TRUE(deleted.ok()) << deleted.error().describe();
  ASSERT_EQ(deleted.value().size(), 2u);
  for (const auto& r : deleted.value()) {
    if (r.name == "orders") EXPECT_TRUE(r.ok()) << r.message;
    else EXPECT_EQ(r.error, ErrorCode::unknown_topic_or_partition);
  }
  EXPECT_EQ(describe_one("orders").error, ErrorCode::unknown_topic_or_partition);
}

TEST_F(AdminClientTest, PartitionsGrowButNeverShrink) {
  ASSERT_TRUE(client_->create_topic("grow", 1, 1, {}).ok());
  auto grown = client_->create_partitions("grow", 4);
  ASSERT_TRUE(grown.ok()) << grown.error().describe();
  EXPECT_EQ(describe_one("grow").partitions, 4);

  auto shrink = client_->create_partitions("grow", 2);
  ASSERT_FALSE(shrink.ok());
  EXPECT_TRUE(shrink.error().is(ErrorCode::invalid_partitions)) << shrink.error().describe();
  EXPECT_FALSE(shrink.error().message.empty());
  auto same = client_->create_partitions("grow", 4);
  ASSERT_FALSE(same.ok());
  EXPECT_TRUE(same.error().is(ErrorCode::invalid_partitions)) << same.error().describe();
  EXPECT_EQ(describe_one("grow").partitions, 4);

  auto unknown = client_->create_partitions("grow-missing", 4);
  ASSERT_FALSE(unknown.ok());
  EXPECT_TRUE(unknown.error().is(ErrorCode::unknown_topic_or_partition)) << unknown.error().describe();
}

TEST_F(AdminClientTest, ConfigsSetDescribeDelete) {
  ASSERT_TRUE(client_->create_topic("cfg", 1, -1, {{"retention.ms", "7200000"}}).ok());
  auto before = client_->describe_configs("cfg");
  ASSERT_TRUE(before.ok()) << before.error().describe();
  const ConfigEntry* retention = find(before.value(), "retention.ms");
  ASSERT_NE(retention, nullptr);
  EXPECT_EQ(retention->value, "7200000");
  EXPECT_TRUE(retention->is_topic_override());
  const ConfigEntry* cleanup = find(before.value(), "cleanup.policy");
  ASSERT_NE(cleanup, nullptr);
  EXPECT_FALSE(cleanup->is_topic_override());

  auto altered = client_->incremental_alter_configs(
      "cfg", {{"segment.bytes", AlterOp::set, "1048576"}, {"retention.ms", AlterOp::remove, {}}});
  ASSERT_TRUE(altered.ok()) << altered.error().describe();
  auto after = client_->describe_configs("cfg");
  ASSERT_TRUE(after.ok()) << after.error().describe();
  const ConfigEntry* segment = find(after.value(), "segment.bytes");
  ASSERT_NE(segment, nullptr);
  EXPECT_EQ(segment->value, "1048576");
  EXPECT_TRUE(segment->is_topic_override());
  retention = find(after.value(), "retention.ms");
  ASSERT_NE(retention, nullptr);
  EXPECT_FALSE(retention->is_topic_override());
  EXPECT_NE(retention->value, "7200000");

  auto bad = client_->incremental_alter_configs("cfg", {{"retention.ms", AlterOp::set, "soon"}});
  ASSERT_FALSE(bad.ok());
  EXPECT_TRUE(bad.error().is(ErrorCode::invalid_config)) << bad.error().describe();

  auto missing = client_->describe_configs("cfg-missing");
  ASSERT_FALSE(missing.ok());
  EXPECT_TRUE(missing.error().is(ErrorCode::unknown_topic_or_partition)) << missing.error().describe();
}

TEST_F(AdminClientTest, BadNamesAreInvalidTopic) {
  for (const std::string& name : std::vector<std::string>{"bad/name", "..", std::string(250, 'x')}) {
    auto created = client_->create_topic(name, 1, 1, {});
    ASSERT_FALSE(created.ok()) << name;
    EXPECT_TRUE(created.error().is(ErrorCode::invalid_topic_exception))
        << name << ": " << created.error().describe();
  }
  EXPECT_EQ(describe_one("bad/name").error, ErrorCode::invalid_topic_exception);
}

TEST_F(AdminClientTest, InvalidConfigOnCreate) {
  auto created = client_->create_topic("badcfg", 1, 1, {{"cleanup.policy", "sometimes"}});
  ASSERT_FALSE(created.ok());
  EXPECT_TRUE(created.error().is(ErrorCode::invalid_config)) << created.error().describe();
  EXPECT_EQ(describe_one("badcfg").error, ErrorCode::unknown_topic_or_partition);
}

TEST(AdminClientTransport, RefusedPortIsATransportError) {
  const auto start = std::chrono::steady_clock::now();
  auto c = connect({"127.0.0.1:" + std::to_string(testing::free_port())}, 2s);
  ASSERT_FALSE(c.ok());
  EXPECT_TRUE(c.error().is_transport()) << c.error().describe();
  EXPECT_LT(std::chrono::steady_clock::now() - start, 2s);
}

TEST(AdminClientTransport, SilentBrokerTimesOut) {
  // A listener that completes the TCP handshake (kernel backlog) but never answers.
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  ASSERT_EQ(::listen(fd, 8), 0);
  socklen_t len = sizeof(addr);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  const std::string address = "127.0.0.1:" + std::to_string(ntohs(addr.sin_port));

  const auto start = std::chrono::steady_clock::now();
  auto c = connect({address}, 300ms);
  const auto elapsed = std::chrono::steady_clock::now() - start;
  ::close(fd);
  ASSERT_FALSE(c.ok());
  EXPECT_TRUE(c.error().is_transport()) << c.error().describe();
  EXPECT_NE(c.error().message.find("timed out"), std::string::npos) << c.error().message;
  EXPECT_GE(elapsed, 250ms);
  EXPECT_LT(elapsed, 2s);
}

TEST(AdminClientTransport, BadAddressAndFallbackToNextBootstrap) {
  auto bad = connect({"no-port-here"}, 1s);
  ASSERT_FALSE(bad.ok());
  EXPECT_TRUE(bad.error().is_transport());

  BrokerProcess broker(RUNNEL_BROKER_BIN);
  ASSERT_TRUE(broker.start()) << broker.error();
  const std::string dead = "127.0.0.1:" + std::to_string(testing::free_port());
  auto c = connect({dead, broker.bootstrap()}, 2s);
  ASSERT_TRUE(c.ok()) << c.error().describe();
  auto topics = c.value()->list_topics();
  EXPECT_TRUE(topics.ok()) << topics.error().describe();

  // Once the broker is gone, calls fail as transport errors instead of hanging.
  broker.stop();
  auto after = c.value()->describe_topics({"x"});
  ASSERT_FALSE(after.ok());
  EXPECT_TRUE(after.error().is_transport()) << after.error().describe();
}

TEST(AdminClientTransport, ReconnectsAfterBrokerRestart) {
  BrokerProcess broker(RUNNEL_BROKER_BIN);
  ASSERT_TRUE(broker.start()) << broker.error();
  auto c = connect({broker.bootstrap()}, 3s);
  ASSERT_TRUE(c.ok()) << c.error().describe();
  ASSERT_TRUE(c.value()->create_topic("survivor", 2, 1, {}).ok());
  broker.stop();
  ASSERT_TRUE(broker.start()) << broker.error();
  // The old connection is dead; the call reconnects through the bootstrap list by itself.
  auto d = c.value()->describe_topics({"survivor"});
  ASSERT_TRUE(d.ok()) << d.error().describe();
  EXPECT_EQ(d.value()[0].partitions, 2);
}

}  // namespace
}  // namespace runnel::operator_admin
