#include <gtest/gtest.h>

#include "broker/storage/cleaner_checkpoint.h"

namespace runnel::storage {
namespace {

TEST(CleanerCheckpoint, KafkaTextFormatRoundTrip) {
  const std::string text = encode_cleaner_checkpoint("my-topic-3", 1234);
  EXPECT_EQ(text, "0\n1\nmy-topic 3 1234\n");
  EXPECT_EQ(decode_cleaner_checkpoint(text), 1234);
}

TEST(CleanerCheckpoint, RejectsAnythingElse) {
  EXPECT_FALSE(decode_cleaner_checkpoint(""));
  EXPECT_FALSE(decode_cleaner_checkpoint("1\n1\nt 0 5\n"));    // version
  EXPECT_FALSE(decode_cleaner_checkpoint("0\n2\nt 0 5\n"));    // count
  EXPECT_FALSE(decode_cleaner_checkpoint("0\n1\nt 0 -5\n"));   // negative
  EXPECT_FALSE(decode_cleaner_checkpoint("0\n1\nt 0 5x\n"));   // garbage
  EXPECT_FALSE(decode_cleaner_checkpoint("0\n1\n"));           // no entry
}

}  // namespace
}  // namespace runnel::storage
