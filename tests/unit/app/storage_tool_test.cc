// runnel-broker format's rules (plan_format), which follow kafka-storage format's.
#include "broker/app/storage_tool.h"

#include <gtest/gtest.h>

#include <array>

namespace runnel::app {
namespace {

constexpr const char* kId = "TwsjPAhpSVmmro_7zmb-gg";

config::BrokerConfig controller(bool static_voters) {
  config::BrokerConfig c;
  c.node_id = NodeId(1);
  c.process_roles = {"broker", "controller"};
  c.log_dirs = {"/d1", "/d2"};
  c.metadata_log_dir = "/meta";
  c.controller_listener_names = {"CONTROLLER"};
  c.listeners = {config::Endpoint{"PLAINTEXT", "127.0.0.1", 9092}, config::Endpoint{"CONTROLLER", "127.0.0.1", 9093}};
  if (static_voters) {
    c.controller_quorum_voters = {config::QuorumVoter{NodeId(1), "127.0.0.1", 9093, std::nullopt}};
  } else {
    c.controller_quorum_bootstrap_servers = {"127.0.0.1:9093"};
  }
  return c;
}

StorageCommand format(std::initializer_list<std::string_view> flags) {
  std::vector<std::string_view> args{"format", "-c", "server.properties", "-t", kId};
  args.insert(args.end(), flags.begin(), flags.end());
  auto c = parse_storage_command(args);
  EXPECT_TRUE(c) << (c ? "" : c.error());
  return c ? *c : StorageCommand{};
}

std::string error_of(const Result<FormatPlan, std::string>& r) { return r ? "" : r.error(); }

TEST(StorageTool, ParsesKafkasOptionsLongAndShort) {
  std::array<std::string_view, 8> args{"format", "--config", "s.p", "--cluster-id", kId, "-g", "-I", "1@h:1:4V5a9BdZSqyHNUtJ6fmwnA"};
  auto c = parse_storage_command(args);
  ASSERT_TRUE(c) << c.error();
  EXPECT_EQ(c->cluster_id, kId);
  EXPECT_TRUE(c->ignore_formatted);
  EXPECT_EQ(c->initial_controllers.value_or(""), "1@h:1:4V5a9BdZSqyHNUtJ6fmwnA");
  std::array<std::string_view, 3> no_id{"format", "-c", "s.p"};
  EXPECT_FALSE(parse_storage_command(no_id));
  std::array<std::string_view, 2> no_config{"info", "-g"};
  EXPECT_FALSE(parse_storage_command(no_config));
  std::array<std::string_view, 1> uuid{"random-uuid"};
  EXPECT_TRUE(parse_storage_command(uuid));
}

TEST(StorageTool, StandaloneFormatsEveryDirectoryAndNamesThisNodeTheOnlyVoter) {
  auto plan = plan_format(controller(false), format({"--standalone"}), {false, false, false});
  ASSERT_TRUE(plan) << plan.error();
  ASSERT_EQ(plan->dirs.size(), 3u);
  EXPECT_EQ(plan->dirs[2].path, "/meta");
  ASSERT_EQ(plan->bootstrap_voters.size(), 1u);
  const config::QuorumVoter& v = plan->bootstrap_voters[0];
  EXPECT_EQ(v.id, NodeId(1));
  EXPECT_EQ(v.port, 9093);
  EXPECT_EQ(v.directory_id, plan->dirs[2].directory_id);  // the metadata directory's id
}

TEST(StorageTool, InitialControllersGiveThisNodesMetadataDirectoryItsId) {
  auto plan = plan_format(controller(false),
                          format({"--initial-controllers", "0@h0:9093:4V5a9BdZSqyHNUtJ6fmwnA,1@h1:9093:f7e8RchuT9yfMoOVx6Z7Tg"}),
                          {false, false, false});
  ASSERT_TRUE(plan) << plan.error();
  EXPECT_EQ(plan->bootstrap_voters.size(), 2u);
  EXPECT_EQ(plan->dirs[2].directory_id.to_base64(), "f7e8RchuT9yfMoOVx6Z7Tg");
}

TEST(StorageTool, KafkasRulesForTheQuorumFlags) {
  EXPECT_NE(error_of(plan_format(controller(false), format({}), {false, false, false})).find("you must specify one of"),
            std::string::npos);
  EXPECT_NE(error_of(plan_format(controller(true), format({"-s"}), {false, false, false}))
                .find("You cannot specify controller.quorum.voters"),
            std::string::npos);
  EXPECT_NE(error_of(plan_format(controller(false), format({"-s", "-N"}), {false, false, false})).find("Only one"),
            std::string::npos);
  auto static_quorum = plan_format(controller(true), format({}), {false, false, false});
  ASSERT_TRUE(static_quorum) << static_quorum.error();
  EXPECT_TRUE(static_quorum->bootstrap_voters.empty());  // the voters are in the config
  config::BrokerConfig broker_only = controller(true);
  broker_only.process_roles = {"broker"};
  EXPECT_FALSE(plan_format(broker_only, format({"-N"}), {false, false, false}));
  StorageCommand bad_id = format({"-N"});
  bad_id.cluster_id = "not-a-uuid";
  EXPECT_NE(error_of(plan_format(controller(false), bad_id, {false, false, false})).find("does not appear to be a valid UUID"),
            std::string::npos);
}

TEST(StorageTool, FormattedDirectoriesAreAnErrorUnlessIgnored) {
  EXPECT_NE(error_of(plan_format(controller(false), format({"-N"}), {false, true, false})).find("/d2 is already formatted"),
            std::string::npos);
  auto plan = plan_format(controller(false), format({"-N", "-g"}), {false, true, false});
  ASSERT_TRUE(plan) << plan.error();
  EXPECT_EQ(plan->dirs.size(), 2u);
  EXPECT_EQ(plan->skipped, std::vector<std::string>{"/d2"});
  // The voters go with a freshly formatted metadata directory only.
  auto meta_done = plan_format(controller(false), format({"-s", "-g"}), {false, false, true});
  ASSERT_TRUE(meta_done) << meta_done.error();
  EXPECT_TRUE(meta_done->bootstrap_voters.empty());
}

}  // namespace
}  // namespace runnel::app
