#include "broker/records/validate.h"

#include <gtest/gtest.h>

#include "tests/unit/records/test_util.h"

namespace runnel::records {
namespace {

constexpr int16_t kProduceV = 11;

struct Outcome {
  ErrorCode code;
  std::string message;
  std::vector<BatchInfo> batches;
  std::vector<RecordErrorInfo> record_errors;
};

Outcome run(const std::vector<uint8_t>& blob, ValidationLimits limits = {}, int16_t version = kProduceV) {
  Outcome o;
  Result<void, ProduceRejection> r = validate_produce_records(blob.data(), blob.size(), version, limits, o.batches);
  o.code = ErrorCode::none;
  if (!r) {
    o.code = r.error().code;
    o.message = r.error().message;
    o.record_errors = r.error().record_errors;
  }
  return o;
}

ValidationLimits now_limits() {
  ValidationLimits l;
  l.now_ms = test::kBaseTs;
  return l;
}

class ValidateCodecTest : public ::testing::TestWithParam<Compression> {};

TEST_P(ValidateCodecTest, AcceptsBuiltBatch) {
  auto set = test::make_records(40);
  auto batch = test::build(set, GetParam());
  Outcome o = run(batch, now_limits());
  ASSERT_EQ(o.code, ErrorCode::none) << o.message;
  ASSERT_EQ(o.batches.size(), 1u);
  EXPECT_EQ(o.batches[0].size, batch.size());
  EXPECT_EQ(o.batches[0].header.records_count, 40);
  EXPECT_EQ(o.batches[0].header.compression(), GetParam());
  EXPECT_EQ(o.batches[0].max_timestamp, test::kBaseTs + 39 * 3);
  EXPECT_EQ(o.batches[0].max_timestamp_offset_delta, 39);
  EXPECT_TRUE(o.record_errors.empty());
}

INSTANTIATE_TEST_SUITE_P(AllCodecs, ValidateCodecTest,
                         ::testing::Values(Compression::none, Compression::gzip, Compression::snappy,
                                           Compression::lz4, Compression::zstd),
                         [](const auto& info) { return std::string(compression_name(info.param)); });

TEST(Validate, BatchInfoPointsIntoBlob) {
  auto set = test::make_records(3);
  auto batch = test::build(set);
  std::vector<BatchInfo> out;
  ASSERT_TRUE(validate_produce_records(batch.data(), batch.size(), kProduceV, {}, out).has_value());
  EXPECT_EQ(out[0].data, batch.data());
}

TEST(Validate, NoCompleteBatch) {
  EXPECT_EQ(run({}).code, ErrorCode::invalid_record);
  auto batch = test::build(test::make_records(3));
  batch.pop_back();  // truncated: Kafka sees no batch at all
  Outcome o = run(batch);
  EXPECT_EQ(o.code, ErrorCode::invalid_record);
  EXPECT_NE(o.message.find("at least one record batch"), std::string::npos);
}

TEST(Validate, TrailingPartialBatchIsTrimmed) {
  auto batch = test::build(test::make_records(3));
  auto blob = batch;
  blob.insert(blob.end(), batch.begin(), batch.begin() + 30);
  Outcome o = run(blob);
  ASSERT_EQ(o.code, ErrorCode::none) << o.message;
  EXPECT_EQ(o.batches[0].size, batch.size());
}

TEST(Validate, TwoBatches) {
  auto batch = test::build(test::make_records(3));
  auto blob = batch;
  blob.insert(blob.end(), batch.begin(), batch.end());
  Outcome o = run(blob);
  EXPECT_EQ(o.code, ErrorCode::invalid_record);
  EXPECT_NE(o.message.find("exactly one record batch"), std::string::npos);
}

TEST(Validate, LengthBelowMinimumIsCorrupt) {
  auto batch = test::build(test::make_records(3));
  store_be32(batch.data() + layout::batch_length, 13);
  EXPECT_EQ(run(batch).code, ErrorCode::corrupt_message);
  // A complete batch too short to hold a v2 header fails like a bad CRC.
  std::vector<uint8_t> tiny(40, 0);
  store_be32(tiny.data() + layout::batch_length, 28);
  tiny[layout::magic] = 2;
  EXPECT_EQ(run(tiny).code, ErrorCode::corrupt_message);
}

TEST(Validate, Magic) {
  auto batch = test::build(test::make_records(3));
  batch[layout::magic] = 1;
  EXPECT_EQ(run(batch).code, ErrorCode::invalid_record);
  batch[layout::magic] = 0;
  EXPECT_EQ(run(batch).code, ErrorCode::invalid_record);
  batch[layout::magic] = 3;
  EXPECT_EQ(run(batch).code, ErrorCode::corrupt_message);
  batch[layout::magic] = 0xff;
  EXPECT_EQ(run(batch).code, ErrorCode::corrupt_message);
}

TEST(Validate, ZstdNeedsProduceV7) {
  auto batch = test::build(test::make_records(3), Compression::zstd);
  EXPECT_EQ(run(batch, {}, 6).code, ErrorCode::unsupported_compression_type);
  EXPECT_EQ(run(batch, {}, 7).code, ErrorCode::none);
  auto lz4 = test::build(test::make_records(3), Compression::lz4);
  EXPECT_EQ(run(lz4, {}, 3).code, ErrorCode::none);
}

TEST(Validate, BaseOffsetMustBeZero) {
  auto batch = test::build(test::make_records(3));
  set_base_offset(batch.data(), 5);
  EXPECT_EQ(run(batch).code, ErrorCode::invalid_record);
}

TEST(Validate, Oversized) {
  auto batch = test::build(test::make_records(3));
  ValidationLimits l;
  l.max_message_bytes = int32_t(batch.size());
  EXPECT_EQ(run(batch, l).code, ErrorCode::none);
  l.max_message_bytes = int32_t(batch.size()) - 1;
  EXPECT_EQ(run(batch, l).code, ErrorCode::message_too_large);
}

TEST(Validate, BadCrc) {
  auto batch = test::build(test::make_records(3));
  batch[batch.size() - 1] ^= 0x55;
  Outcome o = run(batch);
  EXPECT_EQ(o.code, ErrorCode::corrupt_message);
  EXPECT_NE(o.message.find("corrupt"), std::string::npos);
  batch = test::build(test::make_records(3));
  batch[layout::crc] ^= 1;
  EXPECT_EQ(run(batch).code, ErrorCode::corrupt_message);
}

TEST(Validate, UnknownCodec) {
  auto batch = test::build(test::make_records(3));
  store_be16(batch.data() + layout::attributes, 5);
  test::fix_crc(batch);
  EXPECT_EQ(run(batch).code, ErrorCode::corrupt_message);
}

TEST(Validate, CountAndOffsetDelta) {
  auto batch = test::build(test::make_records(3));
  store_be32(batch.data() + layout::records_count, 4);
  test::fix_crc(batch);
  EXPECT_EQ(run(batch).code, ErrorCode::invalid_record);  // 4 != last_offset_delta + 1

  batch = test::build(test::make_records(3));
  store_be32(batch.data() + layout::records_count, 0);
  store_be32(batch.data() + layout::last_offset_delta, uint32_t(-1));
  test::fix_crc(batch);
  EXPECT_EQ(run(batch).code, ErrorCode::invalid_record);

  // Consistent header, but fewer records in the body than it claims.
  batch = test::build(test::make_records(3));
  store_be32(batch.data() + layout::records_count, 4);
  store_be32(batch.data() + layout::last_offset_delta, 3);
  test::fix_crc(batch);
  EXPECT_EQ(run(batch).code, ErrorCode::invalid_record);

  // And more.
  batch = test::build(test::make_records(3));
  store_be32(batch.data() + layout::records_count, 2);
  store_be32(batch.data() + layout::last_offset_delta, 1);
  test::fix_crc(batch);
  EXPECT_EQ(run(batch).code, ErrorCode::invalid_record);
}

TEST(Validate, ControlBatchFromClient) {
  BatchOptions o;
  o.producer_id = 1;
  o.producer_epoch = 0;
  o.base_sequence = 0;
  auto batch = build_control_batch(o, ControlType::abort, 0, test::kBaseTs);
  Outcome out = run(batch, now_limits());
  EXPECT_EQ(out.code, ErrorCode::invalid_record);
  EXPECT_NE(out.message.find("control"), std::string::npos);
}

TEST(Validate, ProducerIdNeedsSequence) {
  auto set = test::make_records(3);
  BatchOptions o;
  o.producer_id = 10;
  o.producer_epoch = 0;
  o.base_sequence = -1;
  EXPECT_EQ(run(build_batch(o, set.records)).code, ErrorCode::invalid_record);
  o.base_sequence = 0;
  EXPECT_EQ(run(build_batch(o, set.records)).code, ErrorCode::none);
}

TEST(Validate, BadRecordVarint) {
  auto batch = test::build(test::make_records(3));
  for (size_t i = 0; i < 6; ++i) batch[layout::records + i] = 0x80;
  test::fix_crc(batch);
  Outcome o = run(batch);
  EXPECT_EQ(o.code, ErrorCode::invalid_record);
  EXPECT_NE(o.message.find("invalid record structure"), std::string::npos);
}

TEST(Validate, MalformedCompressedRecords) {
  std::vector<uint8_t> body;
  test::append_simple_record(body, 0, 0, "k", "v");
  body.push_back(0x7f);  // junk after the only record
  EXPECT_EQ(run(test::wrap_body(body, 1, Compression::zstd)).code, ErrorCode::invalid_record);
  body.pop_back();
  EXPECT_EQ(run(test::wrap_body(body, 1, Compression::zstd)).code, ErrorCode::none);
}

TEST(Validate, GarbageCompressedBody) {
  std::vector<uint8_t> junk(200, 0x5a);
  auto batch = test::wrap_body(junk, 1);
  store_be16(batch.data() + layout::attributes, uint16_t(Compression::gzip));
  test::fix_crc(batch);
  Outcome o = run(batch);
  EXPECT_EQ(o.code, ErrorCode::invalid_record);
  EXPECT_NE(o.message.find("compressed"), std::string::npos);
}

TEST(Validate, WrongOffsetDeltas) {
  for (Compression c : {Compression::none, Compression::lz4}) {
    std::vector<uint8_t> body;
    test::append_simple_record(body, 0, 0, "a", "1");
    test::append_simple_record(body, 2, 0, "b", "2");
    Outcome o = run(test::wrap_body(body, 2, c));
    EXPECT_EQ(o.code, ErrorCode::invalid_record) << compression_name(c);
    EXPECT_NE(o.message.find("offset delta"), std::string::npos);
  }
}

TEST(Validate, DecompressionBombCap) {
  std::vector<uint8_t> body;
  test::append_simple_record(body, 0, 0, "k", std::string(4u << 20, 'x'));
  ValidationLimits l;
  l.max_decompressed_bytes = 1u << 20;
  for (Compression c : {Compression::gzip, Compression::snappy, Compression::lz4, Compression::zstd}) {
    auto batch = test::wrap_body(body, 1, c);
    ASSERT_LT(batch.size(), 1u << 20);
    EXPECT_EQ(run(batch, l).code, ErrorCode::message_too_large) << compression_name(c);
    EXPECT_EQ(run(batch).code, ErrorCode::none) << compression_name(c);
  }
}

TEST(Validate, CompactedTopicNeedsKeys) {
  auto set = test::make_records(10);  // keys of records 4 and 9 are null
  ValidationLimits l = now_limits();
  l.compacted_topic = true;
  Outcome o = run(test::build(set), l);
  EXPECT_EQ(o.code, ErrorCode::invalid_record);
  ASSERT_EQ(o.record_errors.size(), 2u);
  EXPECT_EQ(o.record_errors[0].batch_index, 4);
  EXPECT_EQ(o.record_errors[1].batch_index, 9);
  l.compacted_topic = false;
  EXPECT_EQ(run(test::build(set), l).code, ErrorCode::none);
}

TEST(Validate, TimestampBounds) {
  auto set = test::make_records(10);  // timestamps kBaseTs + {0, 3, 1, 9, 12, ..., 27}
  ValidationLimits l = now_limits();
  l.now_ms = test::kBaseTs + 5;
  l.ts_before_max_ms = 4;   // record 0 is 5 ms old; record 2 is exactly 4
  l.ts_after_max_ms = 15;   // records 7, 8, 9 are 16+ ms ahead
  Outcome o = run(test::build(set, Compression::snappy), l);
  EXPECT_EQ(o.code, ErrorCode::invalid_timestamp);
  ASSERT_EQ(o.record_errors.size(), 4u);
  EXPECT_EQ(o.record_errors[0].batch_index, 0);
  EXPECT_EQ(o.record_errors[1].batch_index, 7);
  EXPECT_EQ(o.record_errors[3].batch_index, 9);
  l.ts_before_max_ms = 5;
  l.ts_after_max_ms = 22;
  EXPECT_EQ(run(test::build(set), l).code, ErrorCode::none);

  // LogAppendTime topics do not check producer timestamps.
  l.topic_timestamp_type = TimestampType::log_append_time;
  EXPECT_EQ(run(test::build(set), l).code, ErrorCode::none);
  // Extreme timestamps do not overflow into acceptance.
  l = now_limits();
  l.ts_before_max_ms = 1000;
  l.ts_after_max_ms = 1000;
  test::RecordSet far = test::make_records(1);
  far.records[0].timestamp = INT64_MIN + 1;
  EXPECT_EQ(run(test::build(far), l).code, ErrorCode::invalid_timestamp);
}

TEST(Validate, ProducerMayNotSetLogAppendTime) {
  auto set = test::make_records(3);
  BatchOptions o;
  o.timestamp_type = TimestampType::log_append_time;
  ValidationLimits l = now_limits();
  l.topic_timestamp_type = TimestampType::log_append_time;
  Outcome out = run(build_batch(o, set.records), l);
  EXPECT_EQ(out.code, ErrorCode::invalid_timestamp);
  EXPECT_EQ(out.record_errors.size(), 3u);
}

TEST(Validate, EmptyDataIsRefusedWithAReason) {
  std::vector<BatchInfo> out;
  std::vector<uint8_t> empty;
  Result<void, ProduceRejection> r = validate_produce_records(empty.data(), 0, kProduceV, {}, out);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, ErrorCode::invalid_record);
  EXPECT_FALSE(r.error().message.empty());
}

}  // namespace
}  // namespace runnel::records
