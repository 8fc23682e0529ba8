// Which quorum a node runs at start-up (server/quorum_membership.h): static voters, the voters
// `format` wrote, or a standalone quorum of a lone node, with its internal-topic defaults.
#include "broker/server/quorum_membership.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>

#include "broker/cluster/bootstrap_voters.h"
#include "broker/cluster/meta_properties.h"

namespace runnel::server {
namespace {

class QuorumMembershipTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/runnel-membership-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    c_.node_id = NodeId(1);
    c_.process_roles = {"broker", "controller"};
    c_.log_dirs = {dir_};
    c_.metadata_log_dir = dir_;
    c_.listeners = {config::Endpoint{"PLAINTEXT", "", 9092}};
    c_.offsets_topic_replication_factor = 3;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string dir_;
  config::BrokerConfig c_;
};

TEST_F(QuorumMembershipTest, StaticVotersComeFromTheConfiguration) {
  c_.controller_quorum_voters = {config::QuorumVoter{NodeId(1), "127.0.0.1", 9093, std::nullopt},
                                 config::QuorumVoter{NodeId(2), "127.0.0.2", 9093, std::nullopt}};
  auto m = resolve_quorum_membership(c_, "localhost");
  ASSERT_TRUE(m && m->has_value());
  EXPECT_EQ((*m)->voters, c_.controller_quorum_voters);
  EXPECT_FALSE((*m)->standalone);
  EXPECT_FALSE(std::filesystem::exists(dir_ + "/__cluster_metadata/bootstrap-voters"));  // nothing written
}

TEST_F(QuorumMembershipTest, FormattedVotersComeFromTheBootstrapFile) {
  const Uuid dir_id = Uuid::random();
  std::vector<config::QuorumVoter> voters{config::QuorumVoter{NodeId(1), "127.0.0.1", 9093, dir_id},
                                          config::QuorumVoter{NodeId(2), "127.0.0.2", 9093, Uuid::random()}};
  ASSERT_TRUE(cluster::write_bootstrap_voters(dir_, voters));
  c_.controller_quorum_bootstrap_servers = {"127.0.0.1:9093"};
  auto m = resolve_quorum_membership(c_, "localhost");
  ASSERT_TRUE(m && m->has_value());
  EXPECT_EQ((*m)->voters, voters);
  EXPECT_FALSE((*m)->standalone);
}

TEST_F(QuorumMembershipTest, ALoneNodeBecomesAStandaloneQuorumOfItselfOnce) {
  const Uuid dir_id = Uuid::random();
  ASSERT_TRUE(cluster::write_meta_properties(dir_, cluster::MetaProperties{1, "TwsjPAhpSVmmro_7zmb-gg", NodeId(1), dir_id}));
  auto m = resolve_quorum_membership(c_, "broker-0.example");
  ASSERT_TRUE(m && m->has_value());
  ASSERT_EQ((*m)->voters.size(), 1u);
  const config::QuorumVoter& self = (*m)->voters.front();
  EXPECT_EQ(self.id, NodeId(1));
  EXPECT_EQ(self.host, "broker-0.example");  // the listener has no host
  EXPECT_EQ(self.port, 9092);
  EXPECT_EQ(self.directory_id, dir_id);
  EXPECT_TRUE((*m)->standalone);
  // Written, so the node is what `format --standalone` makes, and read back on the next start.
  auto again = cluster::read_bootstrap_voters(dir_);
  ASSERT_TRUE(again && again->has_value());
  EXPECT_EQ(**again, (*m)->voters);
  c_.listeners = {config::Endpoint{"PLAINTEXT", "127.0.0.9", 9999}};
  auto second = resolve_quorum_membership(c_, "localhost");
  ASSERT_TRUE(second && second->has_value());
  EXPECT_EQ((*second)->voters, (*m)->voters);
}

TEST_F(QuorumMembershipTest, ALoneNodeNamesItsControllerListenerWhenItHasOne) {
  c_.listeners = {config::Endpoint{"PLAINTEXT", "127.0.0.1", 9092}, config::Endpoint{"CONTROLLER", "127.0.0.1", 9093}};
  c_.controller_listener_names = {"CONTROLLER"};
  auto m = resolve_quorum_membership(c_, "localhost");
  ASSERT_TRUE(m && m->has_value());
  EXPECT_EQ((*m)->voters.front().port, 9093);
}

TEST_F(QuorumMembershipTest, ANodeWithOnlyBootstrapServersJoinsADynamicQuorum) {
  c_.controller_quorum_bootstrap_servers = {"127.0.0.1:9093"};  // formatted --no-initial-controllers
  auto m = resolve_quorum_membership(c_, "localhost");
  ASSERT_TRUE(m);
  ASSERT_TRUE(m->has_value());
  EXPECT_TRUE((*m)->dynamic);
  EXPECT_TRUE((*m)->voters.empty());  // it learns them from the log
  EXPECT_FALSE((*m)->standalone);
}

TEST_F(QuorumMembershipTest, ABrokerWithNoWayToJoinRunsWithoutAMember) {
  c_.process_roles = {"broker"};
  auto m = resolve_quorum_membership(c_, "localhost");
  ASSERT_TRUE(m);
  EXPECT_FALSE(m->has_value());
}

TEST_F(QuorumMembershipTest, ADamagedBootstrapFileIsRefused) {
  std::filesystem::create_directories(dir_ + "/__cluster_metadata");
  FILE* f = std::fopen((dir_ + "/__cluster_metadata/bootstrap-voters").c_str(), "w");
  std::fputs("not a voter\n", f);
  std::fclose(f);
  auto m = resolve_quorum_membership(c_, "localhost");
  ASSERT_FALSE(m);
  EXPECT_NE(m.error().find("bootstrap-voters"), std::string::npos) << m.error();
}

TEST_F(QuorumMembershipTest, StandaloneDefaultsGiveInternalTopicsOneReplicaUnlessConfigured) {
  apply_standalone_defaults(c_);
  EXPECT_EQ(c_.offsets_topic_replication_factor, 1);
  EXPECT_EQ(c_.transaction_state_log_replication_factor, 1);
  EXPECT_EQ(c_.transaction_state_log_min_isr, 1);

  config::BrokerConfig explicit_rf;
  explicit_rf.offsets_topic_replication_factor = 3;
  explicit_rf.layers.static_file["offsets.topic.replication.factor"] = "3";
  apply_standalone_defaults(explicit_rf);
  EXPECT_EQ(explicit_rf.offsets_topic_replication_factor, 3);
}

}  // namespace
}  // namespace runnel::server
