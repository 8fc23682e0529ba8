// controller.quorum.voters and --initial-controllers syntax.
#include "broker/config/quorum_voters.h"

#include <gtest/gtest.h>

namespace runnel::config {
namespace {

TEST(QuorumVoters, ParsesStaticVotersIncludingIpv6) {
  auto v = parse_quorum_voters({"1@127.0.0.1:9093,2@host-b:9094", "3@[::1]:9095"}, VoterSyntax::static_voters);
  ASSERT_TRUE(v) << v.error();
  ASSERT_EQ(v->size(), 3u);
  EXPECT_EQ((*v)[0], (QuorumVoter{NodeId(1), "127.0.0.1", 9093, std::nullopt}));
  EXPECT_EQ((*v)[1].host, "host-b");
  EXPECT_EQ((*v)[2].host, "::1");
  EXPECT_EQ(to_string((*v)[2]), "3@[::1]:9095");
}

TEST(QuorumVoters, InitialControllersCarryADirectoryId) {
  auto v = parse_quorum_voters({"0@a:9093:4V5a9BdZSqyHNUtJ6fmwnA"}, VoterSyntax::initial_controllers);
  ASSERT_TRUE(v) << v.error();
  ASSERT_TRUE((*v)[0].directory_id.has_value());
  EXPECT_EQ(to_string((*v)[0]), "0@a:9093:4V5a9BdZSqyHNUtJ6fmwnA");
  EXPECT_FALSE(parse_quorum_voters({"0@a:9093"}, VoterSyntax::initial_controllers));  // no directory id
}

TEST(QuorumVoters, RefusesMalformedEntriesWithAReason) {
  for (const char* bad : {"1-127.0.0.1:9093", "x@h:1", "-1@h:1", "1@h", "1@:9093", "1@h:0", "1@h:70000", "1@[::1:9"}) {
    auto v = parse_quorum_voters({bad}, VoterSyntax::static_voters);
    EXPECT_FALSE(v) << bad;
    if (!v) {
      EXPECT_NE(v.error().find(bad), std::string::npos) << v.error();
    }
  }
  auto dup = parse_quorum_voters({"1@a:1,1@b:2"}, VoterSyntax::static_voters);
  ASSERT_FALSE(dup);
  EXPECT_NE(dup.error().find("more than once"), std::string::npos);
}

}  // namespace
}  // namespace runnel::config
