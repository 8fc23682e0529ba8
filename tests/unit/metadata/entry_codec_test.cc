// metadata::encode_entry / decode_entry / apply_entry: one controller decision per raft entry.

#include "broker/metadata/entry_codec.h"

#include <gtest/gtest.h>

#include <random>

#include "broker/metadata/log_replay.h"
#include "broker/raft/log.h"
#include "test_records.h"

namespace runnel::metadata {
namespace {

using test::broker;
using test::uuid_of;

std::vector<Record> decision() {
  PartitionRecord p0{PartitionId{0}, uuid_of(7), {NodeId{1}}, {NodeId{1}}, {}, {}, NodeId{1}, LeaderEpoch{0}, PartitionEpoch{0}};
  PartitionRecord p1 = p0;
  p1.partition_id = PartitionId{1};
  return {TopicRecord{"orders", uuid_of(7)}, p0, p1};
}

TEST(EntryCodec, SeveralRecordsRoundTripInOneEntry) {
  std::vector<Record> records = decision();
  std::vector<uint8_t> bytes = encode_entry(records);
  EXPECT_EQ(bytes[0], 0);
  EXPECT_EQ(bytes[1], 0);
  auto back = decode_entry(bytes);
  ASSERT_TRUE(back) << name(back.error().code);
  EXPECT_EQ(*back, records);
}

TEST(EntryCodec, OneRecordIsItsPlainFrameAsBefore) {
  Record r = TopicRecord{"orders", uuid_of(7)};
  std::vector<Record> one{r};
  EXPECT_EQ(encode_entry(one), encode(r));  // logs written before entries still read
  auto back = decode_entry(encode(r));
  ASSERT_TRUE(back);
  ASSERT_EQ(back->size(), 1u);
  EXPECT_EQ(back->front(), r);
}

TEST(EntryCodec, HostileBytesEndInAnErrorNeverACrash) {
  const std::vector<uint8_t> good = encode_entry(decision());
  for (size_t n = 0; n < good.size(); ++n) {
    EXPECT_FALSE(decode_entry(std::span<const uint8_t>(good.data(), n))) << "prefix of " << n;
  }
  std::vector<uint8_t> longer = good;
  longer.push_back(0);
  EXPECT_EQ(decode_entry(longer).error().code, DecodeErrc::trailing_bytes);
  std::vector<uint8_t> huge_count{0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0x0f};  // 2^32-1 records in 8 bytes
  EXPECT_EQ(decode_entry(huge_count).error().code, DecodeErrc::truncated);
  std::vector<uint8_t> newer{0, 0, 1, 2};
  EXPECT_EQ(decode_entry(newer).error().code, DecodeErrc::unsupported_version);
  std::vector<uint8_t> one_in_a_frame{0, 0, 0, 1};
  EXPECT_EQ(decode_entry(one_in_a_frame).error().code, DecodeErrc::invalid_value);
  std::mt19937_64 rng(7);
  for (int i = 0; i < 20000; ++i) {
    std::vector<uint8_t> b = good;
    b[rng() % b.size()] ^= static_cast<uint8_t>(1u << (rng() % 8));
    (void)decode_entry(b);  // an error or some records; never a crash or a huge allocation
  }
}

TEST(EntryCodec, AnEntryAppliesAtOneOffsetAndTheReplayKeepsItWhole) {
  raft::RaftLog log;
  std::vector<uint8_t> b1 = encode_entry(std::vector<Record>{broker(1)});
  std::vector<uint8_t> b2 = encode_entry(decision());
  log.append({Offset{0}, LeaderEpoch{1}, raft::EntryType::data, std::string(b1.begin(), b1.end())});
  log.append({Offset{1}, LeaderEpoch{1}, raft::EntryType::data, std::string(b2.begin(), b2.end())});
  Replay r = replay_committed(Image{}, log, Offset{0}, Offset{2});
  EXPECT_TRUE(r.refused.empty());
  EXPECT_EQ(r.applied, Offset{2});
  ASSERT_NE(r.image.topic("orders"), nullptr);
  EXPECT_EQ(r.image.topic("orders")->partitions.size(), 2u);
  EXPECT_EQ(r.image.highest_offset(), Offset{1});
}

TEST(EntryCodec, ARefusedRecordLeavesTheOthersOfItsEntry) {
  ImageBuilder builder(Image{});
  std::vector<Record> records = decision();
  records.insert(records.begin() + 1, TopicRecord{"orders", uuid_of(8)});  // the name again: refused
  std::vector<ApplyError> refused = apply_entry(builder, records, Offset{5});
  ASSERT_EQ(refused.size(), 1u);
  EXPECT_EQ(refused[0].code, ApplyErrc::duplicate_topic);
  Image image = builder.build();
  EXPECT_EQ(image.topic("orders")->partitions.size(), 2u);
  EXPECT_EQ(image.highest_offset(), Offset{5});
  ImageBuilder again(image);
  EXPECT_EQ(apply_entry(again, records, Offset{5}).size(), records.size());  // the offset must grow
}

}  // namespace
}  // namespace runnel::metadata
