// stamp_batch(): the one function that writes the leader's fields into a producer's batch.
#include "broker/records/stamp.h"

#include <gtest/gtest.h>

#include "broker/records/bytes.h"
#include "tests/unit/records/test_util.h"

namespace runnel::records {
namespace {

BatchHeader header_of(const std::vector<uint8_t>& batch) {
  BatchHeader h;
  EXPECT_TRUE(parse_header(batch.data(), batch.size(), h));
  return h;
}

TEST(Stamp, OffsetAndEpochLeaveTheCrcAlone) {
  auto batch = test::build(test::make_records(3));
  const uint32_t crc = load_be32(batch.data() + layout::crc);
  const int64_t max_ts = header_of(batch).max_timestamp;
  EXPECT_EQ(stamp_batch(batch.data(), batch.size(), Stamp{500, 7, {}, 1'800'000'000'000}), max_ts);
  BatchHeader h = header_of(batch);
  EXPECT_EQ(h.base_offset, 500);
  EXPECT_EQ(h.last_offset(), 502);
  EXPECT_EQ(h.partition_leader_epoch, 7);
  EXPECT_EQ(h.timestamp_type(), TimestampType::create_time);
  EXPECT_EQ(h.crc, crc);  // nothing under the CRC changed: no CRC pass
  EXPECT_TRUE(batch_crc_matches(batch.data(), batch.size()));
}

TEST(Stamp, LogAppendTimeReplacesTheTimestampsAndTheCrc) {
  auto batch = test::build(test::make_records(3));
  TimestampStamp ts;
  ts.type = TimestampType::log_append_time;
  EXPECT_EQ(stamp_batch(batch.data(), batch.size(), Stamp{0, 1, ts, 1'800'000'000'000}), 1'800'000'000'000);
  BatchHeader h = header_of(batch);
  EXPECT_EQ(h.timestamp_type(), TimestampType::log_append_time);
  EXPECT_EQ(h.max_timestamp, 1'800'000'000'000);
  EXPECT_TRUE(batch_crc_matches(batch.data(), batch.size()));
}

TEST(Stamp, CreateTimeMaximumFromValidationWinsOverTheProducers) {
  auto batch = test::build(test::make_records(3));
  TimestampStamp ts;
  ts.max_timestamp = header_of(batch).max_timestamp + 1000;  // the producer's header was wrong
  EXPECT_EQ(stamp_batch(batch.data(), batch.size(), Stamp{0, 1, ts, 5}), ts.max_timestamp);
  BatchHeader h = header_of(batch);
  EXPECT_EQ(h.timestamp_type(), TimestampType::create_time);
  EXPECT_EQ(h.max_timestamp, ts.max_timestamp);
  EXPECT_TRUE(batch_crc_matches(batch.data(), batch.size()));
}

TEST(StampDeath, RefusesANegativeBaseOffset) {
  auto batch = test::build(test::make_records(1));
  EXPECT_DEATH(stamp_batch(batch.data(), batch.size(), Stamp{-1, 0, {}, 0}), "base offset");
}

}  // namespace
}  // namespace runnel::records
