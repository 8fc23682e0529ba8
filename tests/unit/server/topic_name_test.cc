#include "broker/cluster/topic_name.h"

#include <gtest/gtest.h>

#include <string>

namespace runnel::cluster {
namespace {

TEST(TopicName, AcceptsKafkaLegalNames) {
  EXPECT_EQ(validate_topic_name("orders"), "");
  EXPECT_EQ(validate_topic_name("a.b_c-D9"), "");
  EXPECT_EQ(validate_topic_name(std::string(249, 'x')), "");
}

TEST(TopicName, RejectsWhatKafkaRejects) {
  EXPECT_NE(validate_topic_name(""), "");
  EXPECT_NE(validate_topic_name("."), "");
  EXPECT_NE(validate_topic_name(".."), "");
  EXPECT_NE(validate_topic_name(std::string(250, 'x')), "");
  EXPECT_NE(validate_topic_name("bad/name"), "");
  EXPECT_NE(validate_topic_name("with space"), "");
  EXPECT_NE(validate_topic_name("caf\xc3\xa9"), "");
}

TEST(TopicName, DotAndUnderscoreCollide) {
  EXPECT_EQ(collision_key("a.b"), collision_key("a_b"));
  EXPECT_NE(collision_key("a.b"), collision_key("a-b"));
}

}  // namespace
}  // namespace runnel::cluster
