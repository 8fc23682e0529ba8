#include "broker/records/batch_header.h"

#include <gtest/gtest.h>

#include "broker/records/batch_splitter.h"
#include "tests/unit/records/test_util.h"

namespace runnel::records {
namespace {

BatchHeader sample_header() {
  BatchHeader h;
  h.base_offset = 0x0102030405060708;
  h.batch_length = 49;
  h.partition_leader_epoch = 7;
  h.magic = 2;
  h.crc = 0xDEADBEEF;
  h.attributes = uint16_t(Compression::zstd) | attr::transactional | attr::delete_horizon;
  h.last_offset_delta = 9;
  h.base_timestamp = 1234567890123;
  h.max_timestamp = 1234567890999;
  h.producer_id = 99;
  h.producer_epoch = 5;
  h.base_sequence = 41;
  h.records_count = 10;
  return h;
}

TEST(BatchHeader, LayoutIsKafkas) {
  EXPECT_EQ(layout::header_size, 61u);
  EXPECT_EQ(layout::crc, 17u);
  EXPECT_EQ(layout::attributes, 21u);
  EXPECT_EQ(layout::records_count, 57u);
}

TEST(BatchHeader, WriteThenParseRoundTrips) {
  BatchHeader h = sample_header();
  uint8_t buf[61];
  write_header(h, buf);
  // Spot-check big-endian placement of a few fields.
  EXPECT_EQ(buf[0], 0x01);
  EXPECT_EQ(buf[7], 0x08);
  EXPECT_EQ(buf[16], 2);
  EXPECT_EQ(buf[17], 0xDE);
  EXPECT_EQ(buf[60], 10);

  BatchHeader p;
  ASSERT_TRUE(parse_header(buf, sizeof buf, p));
  EXPECT_EQ(p.base_offset, h.base_offset);
  EXPECT_EQ(p.batch_length, 49);
  EXPECT_EQ(p.partition_leader_epoch, 7);
  EXPECT_EQ(p.crc, 0xDEADBEEFu);
  EXPECT_EQ(p.compression(), Compression::zstd);
  EXPECT_TRUE(p.is_transactional());
  EXPECT_FALSE(p.is_control());
  EXPECT_TRUE(p.has_delete_horizon());
  EXPECT_EQ(p.timestamp_type(), TimestampType::create_time);
  EXPECT_EQ(p.last_offset(), h.base_offset + 9);
  EXPECT_EQ(p.base_timestamp, h.base_timestamp);
  EXPECT_EQ(p.max_timestamp, h.max_timestamp);
  EXPECT_EQ(p.producer_id, 99);
  EXPECT_EQ(p.producer_epoch, 5);
  EXPECT_EQ(p.base_sequence, 41);
  EXPECT_EQ(p.last_sequence(), 50);
  EXPECT_EQ(p.records_count, 10);
  EXPECT_EQ(p.size_bytes(), 61);
  EXPECT_FALSE(parse_header(buf, 60, p));
}

TEST(BatchHeader, LastSequenceWraps) {
  BatchHeader h;
  h.base_sequence = INT32_MAX - 1;
  h.last_offset_delta = 3;
  EXPECT_EQ(h.last_sequence(), 1);
  h.base_sequence = no_sequence;
  EXPECT_EQ(h.last_sequence(), no_sequence);
}

TEST(BatchHeader, PatchersOutsideCrcKeepItValid) {
  auto set = test::make_records(3);
  auto batch = test::build(set);
  ASSERT_TRUE(batch_crc_matches(batch.data(), batch.size()));
  set_base_offset(batch.data(), 123456789);
  set_partition_leader_epoch(batch.data(), 42);
  EXPECT_TRUE(batch_crc_matches(batch.data(), batch.size()));
  BatchHeader h;
  ASSERT_TRUE(parse_header(batch.data(), batch.size(), h));
  EXPECT_EQ(h.base_offset, 123456789);
  EXPECT_EQ(h.partition_leader_epoch, 42);
  EXPECT_EQ(h.last_offset(), 123456789 + 2);
}

TEST(BatchHeader, LogAppendTimeRecomputesCrc) {
  auto set = test::make_records(3);
  auto batch = test::build(set);
  uint32_t before = load_be32(batch.data() + layout::crc);
  set_log_append_time(batch.data(), batch.size(), 1'800'000'000'000);
  BatchHeader h;
  ASSERT_TRUE(parse_header(batch.data(), batch.size(), h));
  EXPECT_EQ(h.timestamp_type(), TimestampType::log_append_time);
  EXPECT_EQ(h.max_timestamp, 1'800'000'000'000);
  EXPECT_NE(h.crc, before);
  EXPECT_TRUE(batch_crc_matches(batch.data(), batch.size()));

  set_max_timestamp(batch.data(), batch.size(), TimestampType::create_time, 5);
  ASSERT_TRUE(parse_header(batch.data(), batch.size(), h));
  EXPECT_EQ(h.timestamp_type(), TimestampType::create_time);
  EXPECT_EQ(h.max_timestamp, 5);
  EXPECT_TRUE(batch_crc_matches(batch.data(), batch.size()));
}

TEST(BatchHeader, CrcCoversAttributesToEnd) {
  auto set = test::make_records(2);
  auto batch = test::build(set);
  batch.back() ^= 1;
  EXPECT_FALSE(batch_crc_matches(batch.data(), batch.size()));
  batch.back() ^= 1;
  batch[layout::attributes + 1] ^= 0x10;
  EXPECT_FALSE(batch_crc_matches(batch.data(), batch.size()));
  EXPECT_FALSE(batch_crc_matches(batch.data(), 60));
}

TEST(BatchSplitter, FindsBoundariesLikeKafka) {
  auto set = test::make_records(2);
  auto one = test::build(set);
  std::vector<uint8_t> two = one;
  two.insert(two.end(), one.begin(), one.end());
  Result<size_t, CorruptBatch> first = next_batch(two.data(), two.size());
  ASSERT_TRUE(first.has_value());
  EXPECT_EQ(*first, one.size());
  EXPECT_EQ(next_batch(two.data() + *first, two.size() - *first).value_or(0), one.size());
  EXPECT_EQ(next_batch(two.data(), 0).value_or(1), 0u);
  // A cut-off batch ends iteration rather than failing.
  EXPECT_EQ(next_batch(one.data(), one.size() - 1).value_or(1), 0u);
  EXPECT_EQ(next_batch(one.data(), 11).value_or(1), 0u);

  auto bad = one;
  store_be32(bad.data() + layout::batch_length, 13);
  Result<size_t, CorruptBatch> short_length = next_batch(bad.data(), bad.size());
  ASSERT_FALSE(short_length.has_value());
  EXPECT_NE(short_length.error().message().find("minimum record overhead"), std::string::npos);
  bad = one;
  bad[layout::magic] = 3;
  Result<size_t, CorruptBatch> bad_magic = next_batch(bad.data(), bad.size());
  ASSERT_FALSE(bad_magic.has_value());
  EXPECT_EQ(bad_magic.error().message(), "Invalid magic found in record: 3");
}

}  // namespace
}  // namespace runnel::records
