// Every generated message, every version: a message with every present field set to a
// non-default value survives encode -> decode -> encode unchanged, and encoded_size() agrees.

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/unit/protocol/message_case.h"

namespace runnel::protocol::test {
namespace {

class RoundTrip : public ::testing::TestWithParam<size_t> {};

TEST_P(RoundTrip, EveryVersion) {
  const MessageCase& c = all_message_cases()[GetParam()];
  ASSERT_LE(c.min_version, c.max_version);
  for (int16_t v = c.min_version; v <= c.max_version; ++v) {
    SCOPED_TRACE(c.name + " v" + std::to_string(v));
    std::vector<uint8_t> first = c.sample(v);
    EXPECT_EQ(c.sample_size(v), first.size());
    EXPECT_TRUE(c.decode_equals_sample(v));
    std::vector<uint8_t> second;
    ASSERT_TRUE(c.reencode(first, v, second));
    EXPECT_EQ(first, second);
  }
}

std::string case_name(const ::testing::TestParamInfo<size_t>& info) {
  return all_message_cases()[info.param].name;
}

INSTANTIATE_TEST_SUITE_P(AllMessages, RoundTrip,
                         ::testing::Range<size_t>(0, all_message_cases().size()), case_name);

TEST(RoundTripCoverage, EverySchemaHasACase) {
  // 186 schema files in Kafka's messages/ as of the schemas we generate from.
  EXPECT_GE(all_message_cases().size(), 186u);
}

}  // namespace
}  // namespace runnel::protocol::test
