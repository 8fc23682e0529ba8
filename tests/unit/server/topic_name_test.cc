#include "broker/cluster/topic_name.h"

#include <gtest/gtest.h>

#include <string>

namespace runnel::cluster {
namespace {

TEST(TopicName, AcceptsKafkaLegalNames) {
  EXPECT_TRUE(validate_topic_name("orders").has_value());
  EXPECT_TRUE(validate_topic_name("a.b_c-D9").has_value());
  EXPECT_TRUE(validate_topic_name(std::string(249, 'x')).has_value());
}

TEST(TopicName, RejectsWhatKafkaRejects) {
  EXPECT_FALSE(validate_topic_name("").has_value());
  EXPECT_FALSE(validate_topic_name(".").has_value());
  EXPECT_FALSE(validate_topic_name("..").has_value());
  EXPECT_FALSE(validate_topic_name(std::string(250, 'x')).has_value());
  EXPECT_FALSE(validate_topic_name("bad/name").has_value());
  EXPECT_FALSE(validate_topic_name("with space").has_value());
  EXPECT_FALSE(validate_topic_name("caf\xc3\xa9").has_value());
}

TEST(TopicName, DotAndUnderscoreCollide) {
  EXPECT_EQ(collision_key("a.b"), collision_key("a_b"));
  EXPECT_NE(collision_key("a.b"), collision_key("a-b"));
}

}  // namespace
}  // namespace runnel::cluster
