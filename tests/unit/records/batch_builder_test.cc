#include "broker/records/batch_builder.h"

#include <gtest/gtest.h>

#include "broker/records/compression.h"
#include "broker/records/record_iterator.h"
#include "tests/unit/records/test_util.h"

namespace runnel::records {
namespace {

// Reads a built batch back (decompressing when needed) and checks every field of every record.
void expect_same_records(const std::vector<uint8_t>& batch, const test::RecordSet& set) {
  BatchHeader h;
  ASSERT_TRUE(parse_header(batch.data(), batch.size(), h));
  std::vector<uint8_t> body(batch.begin() + layout::records, batch.end());
  if (h.compression() != Compression::none) {
    std::vector<uint8_t> raw;
    ASSERT_EQ(decompress(h.compression(), body.data(), body.size(), raw, 64u << 20), CodecStatus::ok);
    body = raw;
  }
  RecordReader reader(body.data(), body.size(), h.records_count);
  RecordView v;
  size_t i = 0;
  while (reader.next(v)) {
    ASSERT_LT(i, set.records.size());
    const RecordInput& want = set.records[i];
    EXPECT_EQ(v.offset_delta, int32_t(i));
    EXPECT_EQ(h.base_timestamp + v.timestamp_delta, want.timestamp);
    ASSERT_EQ(v.key.is_null(), !want.key.has_value()) << i;
    if (want.key) {
      EXPECT_EQ(v.key.str(), *want.key);
    }
    ASSERT_EQ(v.value.is_null(), !want.value.has_value()) << i;
    if (want.value) {
      EXPECT_EQ(v.value.str(), *want.value);
    }
    ASSERT_EQ(size_t(v.header_count), want.headers.size());
    auto it = v.headers();
    RecordHeaderView hv;
    for (const HeaderInput& wh : want.headers) {
      ASSERT_TRUE(it.next(hv));
      EXPECT_EQ(hv.key, wh.key);
      ASSERT_EQ(hv.value.is_null(), !wh.value.has_value());
      if (wh.value) {
        EXPECT_EQ(hv.value.str(), *wh.value);
      }
    }
    EXPECT_FALSE(it.next(hv));
    ++i;
  }
  EXPECT_EQ(reader.error(), RecordError::none);
  EXPECT_EQ(i, set.records.size());
}

class BuilderCodecTest : public ::testing::TestWithParam<Compression> {};

TEST_P(BuilderCodecTest, HeaderAndRecordsRoundTrip) {
  auto set = test::make_records(50);
  BatchOptions o;
  o.compression = GetParam();
  o.base_offset = 1000;
  o.partition_leader_epoch = 3;
  o.producer_id = 17;
  o.producer_epoch = 2;
  o.base_sequence = 5;
  auto batch = build_batch(o, set.records);
  BatchHeader h;
  ASSERT_TRUE(parse_header(batch.data(), batch.size(), h));
  EXPECT_EQ(h.base_offset, 1000);
  EXPECT_EQ(size_t(h.size_bytes()), batch.size());
  EXPECT_EQ(h.magic, 2);
  EXPECT_EQ(h.compression(), GetParam());
  EXPECT_EQ(h.records_count, 50);
  EXPECT_EQ(h.last_offset_delta, 49);
  EXPECT_EQ(h.base_timestamp, test::kBaseTs);
  EXPECT_EQ(h.max_timestamp, test::kBaseTs + 49 * 3);
  EXPECT_EQ(h.producer_id, 17);
  EXPECT_EQ(h.producer_epoch, 2);
  EXPECT_EQ(h.base_sequence, 5);
  EXPECT_EQ(h.partition_leader_epoch, 3);
  EXPECT_FALSE(h.is_transactional());
  EXPECT_FALSE(h.is_control());
  EXPECT_TRUE(batch_crc_matches(batch.data(), batch.size()));
  expect_same_records(batch, set);
}

INSTANTIATE_TEST_SUITE_P(AllCodecs, BuilderCodecTest,
                         ::testing::Values(Compression::none, Compression::gzip, Compression::snappy,
                                           Compression::lz4, Compression::zstd),
                         [](const auto& info) { return std::string(compression_name(info.param)); });

TEST(BatchBuilder, ControlBatch) {
  BatchOptions o;
  o.producer_id = 9;
  o.producer_epoch = 1;
  auto batch = build_control_batch(o, ControlType::commit, 12, test::kBaseTs);
  BatchHeader h;
  ASSERT_TRUE(parse_header(batch.data(), batch.size(), h));
  EXPECT_TRUE(h.is_control());
  EXPECT_TRUE(h.is_transactional());
  EXPECT_EQ(h.records_count, 1);
  RecordReader reader(batch.data() + layout::records, batch.size() - layout::records, 1);
  RecordView v;
  ASSERT_TRUE(reader.next(v));
  ASSERT_EQ(v.key.size(), 4u);
  EXPECT_EQ(load_be16(v.key.data), 0);      // version
  EXPECT_EQ(load_be16(v.key.data + 2), 1);  // commit
  ASSERT_EQ(v.value.size(), 6u);
  EXPECT_EQ(load_be16(v.value.data), 0);
  EXPECT_EQ(load_be32(v.value.data + 2), 12u);
}

TEST(BatchBuilder, TransactionalAndLogAppendTimeFlags) {
  auto set = test::make_records(2);
  BatchOptions o;
  o.transactional = true;
  o.timestamp_type = TimestampType::log_append_time;
  auto batch = build_batch(o, set.records);
  BatchHeader h;
  ASSERT_TRUE(parse_header(batch.data(), batch.size(), h));
  EXPECT_TRUE(h.is_transactional());
  EXPECT_EQ(h.timestamp_type(), TimestampType::log_append_time);
}

}  // namespace
}  // namespace runnel::records
