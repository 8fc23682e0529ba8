// Snapshots: the records of an image rebuild it, and the encoded snapshot decodes to it.

#include <gtest/gtest.h>

#include <chrono>

#include "broker/metadata/snapshot.h"
#include "broker/protocol/writer.h"
#include "broker/records/crc32c.h"
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

// A snapshot whose CRC is right but whose contents are not what the header says.
TEST(Snapshot, ConsistentButWrongContentsAreErrors) {
  Image image = apply(Image{}, test::broker(1), Offset(0)).value();
  std::vector<uint8_t> bytes = encode_snapshot(image, 1);
  auto recrc = [](std::vector<uint8_t> b) {
    b.erase(b.end() - 4, b.end());
    uint32_t crc = records::crc32c(b.data(), b.size());
    protocol::Writer(b).write_uint32(crc);
    return b;
  };
  std::vector<uint8_t> trailing = bytes;
  trailing.insert(trailing.end() - 4, 0);
  EXPECT_EQ(decode_snapshot(recrc(trailing)).error().code, SnapshotErrc::trailing_bytes);
  std::vector<uint8_t> more = bytes;
  more[20] = 2;  // the record count's low byte: two records, one present
  EXPECT_EQ(decode_snapshot(recrc(more)).error().code, SnapshotErrc::truncated);
  std::vector<uint8_t> bad_frame = bytes;
  bad_frame[26] = 0x77;  // the first frame's type
  EXPECT_EQ(decode_snapshot(recrc(bad_frame)).error().code, SnapshotErrc::bad_record);
  // Records that decode but do not build an image: a partition of no topic.
  Image with_topic = apply(image, TopicRecord{"t", test::uuid_of(1)}, Offset(1)).value();
  std::vector<uint8_t> orphan = encode_snapshot(
      apply(with_topic, PartitionRecord{PartitionId(0), test::uuid_of(1), test::nodes({1}), test::nodes({1})}, Offset(2))
          .value(),
      1);
  // The TopicRecord's frame is the second; change the last byte of its topic id, and the
  // PartitionRecord after it names a topic that does not exist.
  size_t topic_frame = 4 + 1 + 8 + 4 + 4;
  topic_frame += 4 + ((orphan[topic_frame] << 24) | (orphan[topic_frame + 1] << 16) | (orphan[topic_frame + 2] << 8) |
                      orphan[topic_frame + 3]);
  size_t id_last_byte = topic_frame + 4 + 3 + 2 + 15;  // length, frame head, name "t", uuid
  orphan[id_last_byte] ^= 0xff;
  auto decoded = decode_snapshot(recrc(orphan));
  ASSERT_FALSE(decoded.has_value());
  EXPECT_EQ(decoded.error().code, SnapshotErrc::apply_failed) << decoded.error().detail;
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
