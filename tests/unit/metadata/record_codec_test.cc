// The record frame: every type round-trips, and hostile bytes give a DecodeError, never a crash.

#include <gtest/gtest.h>

#include <random>

#include "broker/metadata/record_codec.h"
#include "test_records.h"

namespace runnel::metadata {
namespace {

using test::one_of_each;

TEST(RecordCodec, EveryTypeRoundTrips) {
  std::vector<Record> records = one_of_each();
  ASSERT_EQ(records.size(), 15u);
  std::set<RecordType> seen;
  for (const Record& r : records) {
    std::vector<uint8_t> bytes = encode(r);
    ASSERT_GE(bytes.size(), 3u);
    EXPECT_EQ((bytes[0] << 8) | bytes[1], static_cast<int>(type_of(r))) << type_name(type_of(r));
    EXPECT_EQ(bytes[2], current_version(type_of(r)));
    auto back = decode(bytes);
    ASSERT_TRUE(back.has_value()) << type_name(type_of(r)) << ": " << name(back.error().code);
    EXPECT_EQ(*back, r) << type_name(type_of(r));
    seen.insert(type_of(r));
  }
  EXPECT_EQ(seen.size(), std::variant_size_v<Record>);
}

TEST(RecordCodec, EncodingIsCompact) {
  // A 3-replica partition: ids and epochs are varints, so this is about the topic id's 16 bytes.
  Record r = PartitionRecord{PartitionId(5), test::uuid_of(1), test::nodes({1, 2, 3}), test::nodes({1, 2, 3}), {}, {},
                             NodeId(1), LeaderEpoch(0), PartitionEpoch(0)};
  EXPECT_LE(encode(r).size(), 36u);
}

TEST(RecordCodec, RefusesUnknownTypesVersionsAndTrailingBytes) {
  std::vector<uint8_t> bytes = encode(Record(RemoveTopicRecord{test::uuid_of(3)}));
  auto with = [&](auto change) {
    std::vector<uint8_t> b = bytes;
    change(b);
    return decode(b);
  };
  EXPECT_EQ(with([](auto& b) { b[1] = 0; }).error().code, DecodeErrc::unknown_type);
  EXPECT_EQ(with([](auto& b) { b[1] = 99; }).error().code, DecodeErrc::unknown_type);
  EXPECT_EQ(with([](auto& b) { b[2] = 1; }).error().code, DecodeErrc::unsupported_version);
  EXPECT_EQ(with([](auto& b) { b.push_back(0); }).error().code, DecodeErrc::trailing_bytes);
  EXPECT_EQ(with([](auto& b) { b.pop_back(); }).error().code, DecodeErrc::truncated);
  EXPECT_EQ(decode({}).error().code, DecodeErrc::truncated);

  std::vector<uint8_t> change = encode(Record(BrokerRegistrationChangeRecord{NodeId(1), BrokerEpoch(1)}));
  change[change.size() - 2] = 7;  // the fencing change: -1, 0 or 1
  EXPECT_EQ(decode(change).error().code, DecodeErrc::invalid_value);
  change[change.size() - 2] = 0;
  change.back() = 2;  // a flag
  EXPECT_EQ(decode(change).error().code, DecodeErrc::invalid_value);
}

TEST(RecordCodec, EveryTruncationIsAnError) {
  for (const Record& r : one_of_each()) {
    std::vector<uint8_t> bytes = encode(r);
    for (size_t n = 0; n < bytes.size(); ++n) {
      auto back = decode(std::span<const uint8_t>(bytes.data(), n));
      EXPECT_FALSE(back.has_value()) << type_name(type_of(r)) << " cut at " << n;
    }
  }
}

// Random bytes, and valid frames with random bytes flipped: decode answers without crashing
// (ASan/UBSan builds make this a memory-safety check) and never allocates beyond the input.
TEST(RecordCodec, HostileBytesNeverCrash) {
  std::mt19937_64 rng(42);
  std::vector<std::vector<uint8_t>> valid;
  for (const Record& r : one_of_each()) valid.push_back(encode(r));
  size_t decoded = 0;
  for (int i = 0; i < 200000; ++i) {
    std::vector<uint8_t> bytes;
    if (i % 2 == 0) {
      bytes.resize(rng() % 64);
      for (auto& b : bytes) b = static_cast<uint8_t>(rng());
      if (bytes.size() >= 2) bytes[0] = 0, bytes[1] = static_cast<uint8_t>(rng() % 12);  // mostly known types
      if (bytes.size() >= 3) bytes[2] = 0;
    } else {
      bytes = valid[rng() % valid.size()];
      // A record with no fields (NoOpRecord) is its 3-byte header alone: give it a stray byte.
      if (bytes.size() == 3) bytes.push_back(static_cast<uint8_t>(rng()));
      for (int flips = 1 + static_cast<int>(rng() % 3); flips > 0; --flips) {
        bytes[3 + rng() % (bytes.size() - 3)] = static_cast<uint8_t>(rng());
      }
    }
    auto back = decode(bytes);
    if (back.has_value()) {
      ++decoded;
      // Whatever decodes re-encodes to a frame that decodes to the same record.
      auto again = decode(encode(*back));
      ASSERT_TRUE(again.has_value());
      EXPECT_EQ(*again, *back);
    }
  }
  std::printf("hostile frames: %zu of 200000 decoded as some record\n", decoded);
}

}  // namespace
}  // namespace runnel::metadata
