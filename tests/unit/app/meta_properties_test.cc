// meta.properties: Kafka's identity file, its parsing and the start-up check across directories.
#include "broker/cluster/meta_properties.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace runnel::cluster {
namespace {

struct TempDirs : ::testing::Test {
  std::filesystem::path root = std::filesystem::temp_directory_path() /
                               ("meta-props-" + std::to_string(::getpid()) + "-" +
                                ::testing::UnitTest::GetInstance()->current_test_info()->name());
  void SetUp() override { std::filesystem::remove_all(root); }
  void TearDown() override { std::filesystem::remove_all(root); }
  std::string dir(const char* name) const { return (root / name).string(); }
};

MetaProperties sample(const std::string& cluster, int node = 1) {
  return MetaProperties{1, cluster, NodeId(node), Uuid::random()};
}

TEST(MetaProperties, RoundTripsKafkasFormat) {
  MetaProperties m = sample("TwsjPAhpSVmmro_7zmb-gg", 3);
  auto parsed = parse_meta_properties(encode_meta_properties(m), "x");
  ASSERT_TRUE(parsed) << parsed.error();
  EXPECT_EQ(*parsed, m);
  // What Kafka 4.x's kafka-storage format writes parses too.
  auto kafka = parse_meta_properties(
      "#\n#Mon Dec 07 05:00:00 UTC 2026\nnode.id=1\ndirectory.id=4V5a9BdZSqyHNUtJ6fmwnA\nversion=1\n"
      "cluster.id=MkU3OEVBNTcwNTJENDM2Qk\n",
      "x");
  ASSERT_TRUE(kafka) << kafka.error();
  EXPECT_EQ(kafka->cluster_id, "MkU3OEVBNTcwNTJENDM2Qk");
}

TEST(MetaProperties, RefusesDamagedOrForeignFiles) {
  EXPECT_FALSE(parse_meta_properties("version=0\ncluster.id=MkU3OEVBNTcwNTJENDM2Qk\nnode.id=1\n", "x"));  // ZK era
  EXPECT_FALSE(parse_meta_properties("version=1\ncluster.id=nope\nnode.id=1\n", "x"));
  EXPECT_FALSE(parse_meta_properties("version=1\ncluster.id=MkU3OEVBNTcwNTJENDM2Qk\nnode.id=x\n", "x"));
  EXPECT_FALSE(parse_meta_properties("version=1\ncluster.id=MkU3OEVBNTcwNTJENDM2Qk\nnode.id=1\ndirectory.id=z\n", "x"));
}

TEST_F(TempDirs, StartUpCheckFindsTheClusterAndRefusesAnotherOne) {
  auto none = check_log_dirs({dir("a"), dir("b")}, NodeId(1));
  ASSERT_TRUE(none) << none.error();
  EXPECT_FALSE(none->has_value());  // nothing formatted yet

  ASSERT_TRUE(write_meta_properties(dir("a"), sample("TwsjPAhpSVmmro_7zmb-gg")));
  auto one = check_log_dirs({dir("a"), dir("b")}, NodeId(1));
  ASSERT_TRUE(one) << one.error();
  EXPECT_EQ(one->value_or(""), "TwsjPAhpSVmmro_7zmb-gg");

  ASSERT_TRUE(write_meta_properties(dir("b"), sample("MkU3OEVBNTcwNTJENDM2Qk")));
  auto mixed = check_log_dirs({dir("a"), dir("b")}, NodeId(1));
  ASSERT_FALSE(mixed);
  EXPECT_NE(mixed.error().find("Invalid cluster.id in: " + dir("b") + "/meta.properties"), std::string::npos)
      << mixed.error();

  auto other_node = check_log_dirs({dir("a")}, NodeId(2));
  ASSERT_FALSE(other_node);
  EXPECT_NE(other_node.error().find("doesn't match the configured node.id 2"), std::string::npos);

  std::ofstream(dir("a") + "/meta.properties") << "version=1\ncluster.id=garbage\n";
  EXPECT_FALSE(check_log_dirs({dir("a")}, NodeId(1)));  // damaged: refused, never rewritten
}

}  // namespace
}  // namespace runnel::cluster
