#include "broker/storage/index.h"

#include <gtest/gtest.h>

#include "broker/storage/checkpoint.h"
#include "broker/storage/segment.h"

namespace runnel::storage {
namespace {

TEST(OffsetIndex, LookupFindsLargestEntryAtOrBelow) {
  OffsetIndex idx;
  idx.append({10, 100});
  idx.append({20, 200});
  EXPECT_FALSE(idx.lookup(9).has_value());
  EXPECT_EQ(idx.lookup(10)->position, 100u);
  EXPECT_EQ(idx.lookup(19)->position, 100u);
  EXPECT_EQ(idx.lookup(1000)->position, 200u);
}

TEST(OffsetIndex, EncodeDecodeAndSanityChecks) {
  OffsetIndex idx;
  idx.append({10, 100});
  idx.append({20, 200});
  auto bytes = idx.encode();
  ASSERT_EQ(bytes.size(), 16u);
  EXPECT_EQ(bytes[3], 10);  // big-endian
  OffsetIndex back;
  EXPECT_TRUE(back.decode(bytes, 1000));
  EXPECT_EQ(back.entries().size(), 2u);
  EXPECT_FALSE(back.decode(bytes, 150));  // position past the log
  bytes.push_back(0);
  EXPECT_FALSE(back.decode(bytes, 1000));  // partial entry
  auto swapped = idx.encode();
  std::swap_ranges(swapped.begin(), swapped.begin() + 8, swapped.begin() + 8);
  EXPECT_FALSE(back.decode(swapped, 1000));  // not increasing
}

TEST(TimeIndex, MaybeAppendKeepsTimestampsIncreasing) {
  TimeIndex idx;
  idx.maybe_append({100, 1});
  idx.maybe_append({90, 2});
  idx.maybe_append({100, 3});
  idx.maybe_append({150, 4});
  ASSERT_EQ(idx.size(), 2u);
  EXPECT_FALSE(idx.lookup(99).has_value());
  EXPECT_EQ(idx.lookup(120)->relative_offset, 1u);
  EXPECT_EQ(idx.lookup(150)->relative_offset, 4u);
  TimeIndex back;
  EXPECT_TRUE(back.decode(idx.encode(), 5));
  EXPECT_FALSE(back.decode(idx.encode(), 4));
}

TEST(SegmentName, FormatAndParse) {
  EXPECT_EQ(segment_file_name(42, ".log"), "00000000000000000042.log");
  int64_t base = 0;
  EXPECT_TRUE(parse_segment_file_name("00000000000000000042.log", ".log", base));
  EXPECT_EQ(base, 42);
  EXPECT_FALSE(parse_segment_file_name("0000000000000000042.log", ".log", base));
  EXPECT_FALSE(parse_segment_file_name("00000000000000000042.index", ".log", base));
}

TEST(Checkpoint, RoundTripAndCorruption) {
  auto bytes = encode_checkpoint({12345, true});
  auto c = decode_checkpoint(bytes);
  ASSERT_TRUE(c);
  EXPECT_EQ(c->recovery_point, 12345);
  EXPECT_TRUE(c->clean);
  bytes[10] ^= 1;
  EXPECT_FALSE(decode_checkpoint(bytes));
}

}  // namespace
}  // namespace runnel::storage
