// What the operator renders must be what runnel-broker accepts: the ConfigMap's server.properties
// and the container's arguments go through the broker's own parsers here, with the $(VAR)
// references expanded the way the kubelet would.
#include <gtest/gtest.h>

#include "broker/config/broker_config.h"
#include "broker/config/cli.h"
#include "broker/config/properties.h"
#include "operator/resources/children.h"
#include "operator/resources/config_check.h"
#include "tests/unit/operator_resources/fixture.h"

namespace runnel::resources {
namespace {

std::string expand(std::string arg) {
  for (auto [var, value] : {std::pair{"$(RUNNEL_NODE_ID)", "2"}, std::pair{"$(POD_IP)", "10.1.2.3"}}) {
    for (auto at = arg.find(var); at != std::string::npos; at = arg.find(var)) {
      arg.replace(at, std::string(var).size(), value);
    }
  }
  return arg;
}

struct Loaded {
  config::CommandLine cli;
  config::Result<config::BrokerConfig> cfg = Unexpected("unset");
  std::vector<std::string> warnings;
};

Loaded load_as_broker(const api::RunnelCluster& c) {
  DesiredChildren d = build_children(c);
  const Json& container = d.objects[3].object["spec"]["template"]["spec"]["containers"][0];
  EXPECT_EQ(container["command"][0], "runnel-broker");
  std::vector<std::string> args;
  for (const auto& a : container["args"]) args.push_back(expand(a.get<std::string>()));
  std::vector<std::string_view> views(args.begin(), args.end());
  Loaded out;
  out.cli = config::parse_command_line(views);
  auto props = config::parse_properties(d.objects[0].object["data"]["server.properties"].get<std::string>());
  EXPECT_TRUE(props.has_value()) << props.error();
  if (props.has_value()) out.cfg = config::load(props.value(), out.cli.overrides, out.warnings);
  return out;
}

TEST(BrokerCompat, RenderedConfigAndArgsLoad) {
  auto c = testing::cluster();
  c.spec.config = {{"log.retention.ms", "60000"}, {"num.partitions", "3"}};
  Loaded l = load_as_broker(c);
  ASSERT_EQ(l.cli.action, config::CommandLine::Action::run) << l.cli.error;
  EXPECT_EQ(l.cli.config_path.value_or(""), "/etc/runnel/server.properties");
  ASSERT_TRUE(l.cfg.has_value()) << l.cfg.error();
  EXPECT_TRUE(l.warnings.empty()) << l.warnings.front();
  const config::BrokerConfig& cfg = l.cfg.value();
  EXPECT_EQ(cfg.node_id, NodeId(2));
  EXPECT_EQ(cfg.log_dirs, std::vector<std::string>{"/var/lib/runnel/data"});
  ASSERT_EQ(cfg.listeners.size(), 1u);
  EXPECT_EQ(cfg.listeners[0].host, "10.1.2.3");  // the pod IP: pods may share a network
  EXPECT_EQ(cfg.listeners[0].port, 9092);
  ASSERT_EQ(cfg.advertised_listeners.size(), 1u);
  EXPECT_EQ(cfg.advertised_listeners[0].host, "10.1.2.3");
  EXPECT_EQ(cfg.advertised_listeners[0].port, 9092);
  ASSERT_EQ(cfg.admin_listeners.size(), 1u);
  EXPECT_EQ(cfg.admin_listeners[0].port, 9644);
  EXPECT_EQ(cfg.admin_listeners[0].host, "10.1.2.3");
  EXPECT_EQ(cfg.offsets_topic_replication_factor, 1);
  EXPECT_EQ(cfg.num_partitions, 3);
}

TEST(BrokerCompat, EscapedValuesRoundTrip) {
  auto c = testing::cluster();
  std::string tricky = " lead\\ing = x:y\nz";
  c.spec.config = {{"broker.rack", tricky}};
  DesiredChildren d = build_children(c);
  auto props = config::parse_properties(d.properties);
  ASSERT_TRUE(props.has_value());
  EXPECT_EQ(props.value().get("broker.rack").value_or("?"), tricky);
}

TEST(BrokerCompat, InvalidUserConfigIsCaughtByTheBrokerNotSilentlyDropped) {
  auto c = testing::cluster();
  c.spec.config = {{"num.partitions", "0"}};
  Loaded l = load_as_broker(c);
  EXPECT_FALSE(l.cfg.has_value());
}

}  // namespace
}  // namespace runnel::resources

namespace runnel::resources {
namespace {

TEST(ConfigCheck, AcceptsDefaultsAndFlagsBadValues) {
  auto c = testing::cluster();
  EXPECT_TRUE(check_broker_config(c).ok()) << check_broker_config(c).error;
  c.spec.config = {{"log.segment.bytes", "12"}};
  ConfigCheck bad = check_broker_config(c);
  EXPECT_FALSE(bad.ok());
  EXPECT_NE(bad.error.find("log.segment.bytes"), std::string::npos) << bad.error;
  c.spec.config = {{"no.such.property", "1"}};
  ConfigCheck unknown = check_broker_config(c);
  EXPECT_TRUE(unknown.ok());  // the broker ignores unknown keys, with a warning
  EXPECT_FALSE(unknown.warnings.empty());
}

}  // namespace
}  // namespace runnel::resources
