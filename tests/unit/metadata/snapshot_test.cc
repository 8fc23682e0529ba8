// Snapshots: the records of an image rebuild it, and the encoded snapshot decodes to it.

#include <gtest/gtest.h>

#include <chrono>

#include "broker/metadata/snapshot.h"
#include "test_records.h"

namespace runnel::metadata {
namespace {

// Random valid histories: applying them record by record gives the same image as decoding the
// snapshot of the result. Covers every record type, removals, re-registrations and configs
// that come and go.
TEST(Snapshot, PropertyApplyAllEqualsDecodeOfEncode) {
  size_t records_total = 0;
  for (uint64_t seed = 0; seed < 300; ++seed) {
    test::RandomRecords random(seed);
    // `one_by_one` applies each record to a new image; the builder applies batches of varying
    // size. Both must end in the same image.
    Image one_by_one;
    ImageBuilder builder{Image{}};
    Image image;
    int64_t offset = 0;
    for (int i = 0; i < 200; ++i) {
      Record r = random.next(one_by_one);
      auto applied = apply(one_by_one, r, Offset(offset));
      ASSERT_TRUE(applied.has_value()) << "seed " << seed << " record " << i << " " << type_name(type_of(r)) << ": "
                                       << name(applied.error().code) << " " << applied.error().detail;
      one_by_one = std::move(applied).value();
      ASSERT_TRUE(builder.apply(r, Offset(offset)).has_value());
      offset += 1 + static_cast<int64_t>(seed % 3);  // control records and gaps between them
      if (i % (1 + static_cast<int>(seed % 23)) == 0) image = builder.build();
    }
    image = builder.build();
    ASSERT_TRUE(image == one_by_one) << "seed " << seed;
    records_total += 200;

    auto decoded = decode_snapshot(encode_snapshot(image, /*epoch=*/static_cast<int32_t>(seed)));
    ASSERT_TRUE(decoded.has_value()) << "seed " << seed << ": " << name(decoded.error().code) << " "
                                     << decoded.error().detail;
    EXPECT_TRUE(decoded->image == image) << "seed " << seed;
    EXPECT_EQ(decoded->epoch, static_cast<int32_t>(seed));
    EXPECT_EQ(decoded->image.highest_offset(), image.highest_offset());
  }
  std::printf("%zu random records over 300 histories: snapshots round-trip\n", records_total);
}

TEST(Snapshot, ImagesThatDifferCompareUnequal) {
  test::RandomRecords random(7);
  Image image;
  for (int i = 0; i < 50; ++i) image = apply(image, random.next(image), Offset(i)).value();
  Image other = apply(image, FeatureLevelRecord{"zz", 1}, Offset(100)).value();
  Image moved = apply(image, FeatureLevelRecord{"zz", 0}, Offset(100)).value();  // only the offset moves
  EXPECT_FALSE(image == other);
  EXPECT_FALSE(image == moved);
}

TEST(Snapshot, DamageIsAnError) {
  test::RandomRecords random(3);
  Image image;
  for (int i = 0; i < 100; ++i) image = apply(image, random.next(image), Offset(i)).value();
  std::vector<uint8_t> bytes = encode_snapshot(image, 4);
  for (size_t n = 0; n < bytes.size(); n += 7) {
    EXPECT_FALSE(decode_snapshot(std::span<const uint8_t>(bytes.data(), n)).has_value()) << "cut at " << n;
  }
  for (size_t i = 0; i < bytes.size(); i += 5) {
    std::vector<uint8_t> bad = bytes;
    bad[i] ^= 0x20;
    auto decoded = decode_snapshot(bad);
    ASSERT_FALSE(decoded.has_value()) << "flip at " << i;
    EXPECT_TRUE(decoded.error().code == SnapshotErrc::crc_mismatch || decoded.error().code == SnapshotErrc::bad_magic ||
                decoded.error().code == SnapshotErrc::unsupported_version)
        << name(decoded.error().code);
  }
}

TEST(Snapshot, TenThousandPartitions) {
  std::vector<Record> records;
  for (int32_t b = 0; b < 6; ++b) records.push_back(test::broker(b, "rack-" + std::to_string(b % 3)));
  for (uint64_t t = 0; t < 1000; ++t) {
    records.push_back(TopicRecord{"topic-" + std::to_string(t), test::uuid_of(t)});
    records.push_back(ConfigRecord{ConfigResourceType::topic, "topic-" + std::to_string(t), "retention.ms", "3600000"});
    for (int32_t p = 0; p < 10; ++p) {
      auto r = [&](int32_t k) { return NodeId((static_cast<int32_t>(t) + p + k) % 6); };
      records.push_back(PartitionRecord{PartitionId(p), test::uuid_of(t), {r(0), r(1), r(2)}, {r(0), r(1), r(2)}, {},
                                        {}, r(0), LeaderEpoch(3), PartitionEpoch(5)});
    }
  }
  Image image = apply_all(Image{}, records, Offset(500000)).value();
  auto start = std::chrono::steady_clock::now();
  std::vector<uint8_t> bytes = encode_snapshot(image, 9);
  auto encoded = std::chrono::steady_clock::now();
  auto decoded = decode_snapshot(bytes);
  auto end = std::chrono::steady_clock::now();
  ASSERT_TRUE(decoded.has_value());
  EXPECT_TRUE(decoded->image == image);
  using ms = std::chrono::duration<double, std::milli>;
  std::printf("snapshot of %zu records (1000 topics x 10 partitions, 6 brokers): %zu bytes, encode %.1f ms, "
              "decode %.1f ms\n",
              records.size(), bytes.size(), ms(encoded - start).count(), ms(end - encoded).count());
}

}  // namespace
}  // namespace runnel::metadata
