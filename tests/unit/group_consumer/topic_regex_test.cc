#include "broker/group/topic_regex.h"

#include <gtest/gtest.h>

namespace runnel::group {
namespace {

bool matches(const std::string& pattern, const std::string& topic) {
  auto re = compile_topic_regex(pattern);
  return re && std::regex_match(topic, *re);
}

TEST(TopicRegex, QuotedSectionsAreLiterals) {
  EXPECT_EQ(ecmascript_from_re2("\\Qa.b\\E"), "a\\.b");
  EXPECT_TRUE(matches("\\Q__consumer_offsets\\E", "__consumer_offsets"));
  EXPECT_TRUE(matches("\\Qa.b\\E", "a.b"));
  EXPECT_FALSE(matches("\\Qa.b\\E", "axb"));
  EXPECT_TRUE(matches("x-\\Q(1)\\E.*", "x-(1)-y"));
  // Unterminated: quotes to the end, as RE2 does.
  EXPECT_TRUE(matches("\\Qa+", "a+"));
  // An escaped backslash before Q is not a quote.
  EXPECT_EQ(ecmascript_from_re2("\\\\Q"), "\\\\Q");
}

TEST(TopicRegex, EverydaySyntaxIsUnchanged) {
  EXPECT_EQ(ecmascript_from_re2("orders-.*|payments\\.v[0-9]+"), "orders-.*|payments\\.v[0-9]+");
  EXPECT_TRUE(matches("orders-.*", "orders-eu"));
  EXPECT_FALSE(matches("orders-.*", "xorders-eu"));
  EXPECT_FALSE(compile_topic_regex("(").has_value());
}

}  // namespace
}  // namespace runnel::group
