// Raft entries as v2 record batches (broker/raft/wire_records.h): round trips, Kafka's batch
// shape (epoch in the partition leader epoch, LeaderChange as a control batch), and hostile
// bytes: every CRC-covered flip is caught, truncation never yields a record that was not sent.

#include "broker/raft/wire_records.h"

#include "broker/raft/leader_change.h"

#include <gtest/gtest.h>

#include <limits>
#include <random>

#include "broker/records/batch_builder.h"
#include "broker/records/batch_header.h"
#include "broker/records/batch_splitter.h"
#include "broker/records/bytes.h"

namespace runnel::raft::wire {
namespace {

std::vector<Entry> entries_in_three_epochs() {
  std::vector<Entry> out;
  int64_t offset = 0;
  auto add = [&](int32_t epoch, EntryType type, std::string payload) {
    out.push_back(Entry{Offset{offset++}, LeaderEpoch{epoch}, type, std::move(payload)});
  };
  add(1, EntryType::leader_change, encode_leader_change({NodeId{1}, {NodeId{1}, NodeId{2}, NodeId{3}}, {NodeId{1}, NodeId{2}}}));
  add(1, EntryType::data, "x=1");
  add(1, EntryType::data, "y=2");
  add(2, EntryType::leader_change, encode_leader_change({NodeId{2}, {NodeId{1}, NodeId{2}, NodeId{3}}, {NodeId{2}, NodeId{3}}}));
  add(2, EntryType::data, "");
  add(4, EntryType::data, std::string(3000, 'z'));
  return out;
}

std::vector<records::BatchHeader> headers_of(const std::vector<uint8_t>& bytes) {
  std::vector<records::BatchHeader> out;
  size_t pos = 0;
  while (pos < bytes.size()) {
    auto n = records::next_batch(bytes.data() + pos, bytes.size() - pos);
    EXPECT_TRUE(n && *n > 0);
    if (!n || *n == 0) break;
    records::BatchHeader h;
    EXPECT_TRUE(records::parse_header(bytes.data() + pos, *n, h));
    out.push_back(h);
    pos += *n;
  }
  return out;
}

TEST(WireRecordsTest, EntriesRoundTrip) {
  std::vector<Entry> entries = entries_in_three_epochs();
  auto back = decode_entries(encode_entries(entries, 1234));
  ASSERT_TRUE(back) << wire_error_name(back.error());
  EXPECT_EQ(*back, entries);
  auto none = decode_entries({});
  ASSERT_TRUE(none);
  EXPECT_TRUE(none->empty());
}

TEST(WireRecordsTest, BatchesCarryTheEpochAndLeaderChangeIsAControlBatch) {
  std::vector<uint8_t> bytes = encode_entries(entries_in_three_epochs(), 1234);
  std::vector<records::BatchHeader> headers = headers_of(bytes);
  // [LC e1] [x y e1] [LC e2] [empty e2] [z e4]
  ASSERT_EQ(headers.size(), 5u);
  EXPECT_TRUE(headers[0].is_control());
  EXPECT_FALSE(headers[0].is_transactional());
  EXPECT_EQ(headers[0].partition_leader_epoch, 1);
  EXPECT_EQ(headers[1].base_offset, 1);
  EXPECT_EQ(headers[1].records_count, 2);
  EXPECT_FALSE(headers[1].is_control());
  EXPECT_TRUE(headers[2].is_control());
  EXPECT_EQ(headers[2].partition_leader_epoch, 2);
  EXPECT_EQ(headers[4].partition_leader_epoch, 4);
  EXPECT_EQ(headers[4].base_timestamp, 1234);
  // The control record's key is Kafka's (version 0, LEADER_CHANGE = 2): after the 61-byte
  // header, the record's length, attributes, timestamp delta and offset delta (one byte each
  // here) and the key length (varint 4 = one byte).
  const uint8_t* key = bytes.data() + records::layout::header_size + 5;
  EXPECT_EQ(records::load_be16(key), 0);
  EXPECT_EQ(records::load_be16(key + 2), 2);
}

TEST(WireRecordsTest, LargeRunsSplitIntoBoundedBatches) {
  std::vector<Entry> entries;
  for (int64_t i = 0; i < 1200; ++i) entries.push_back(Entry{Offset{i}, LeaderEpoch{1}, EntryType::data, "v"});
  std::vector<uint8_t> bytes = encode_entries(entries, 0);
  EXPECT_EQ(headers_of(bytes).size(), 3u);  // 512 + 512 + 176
  auto back = decode_entries(bytes);
  ASSERT_TRUE(back);
  EXPECT_EQ(*back, entries);
}

TEST(WireRecordsTest, LeaderChangeMessageRoundTripsAndRefusesGarbage) {
  LeaderChange change{NodeId{2}, {NodeId{1}, NodeId{2}, NodeId{3}}, {NodeId{2}, NodeId{3}}};
  auto back = decode_leader_change(encode_leader_change(change));
  ASSERT_TRUE(back);
  EXPECT_EQ(*back, change);
  EXPECT_FALSE(decode_leader_change("leader=1 voters=1,2,3,"));
  EXPECT_FALSE(decode_leader_change(""));
  std::string bytes = encode_leader_change(change);
  for (size_t n = 0; n < bytes.size(); ++n) EXPECT_FALSE(decode_leader_change(bytes.substr(0, n))) << n;
}

TEST(WireRecordsTest, EveryCrcCoveredFlipIsCorruption) {
  std::vector<uint8_t> good = encode_entries(entries_in_three_epochs(), 1234);
  size_t pos = 0;
  while (pos < good.size()) {
    size_t n = *records::next_batch(good.data() + pos, good.size() - pos);
    for (size_t i = pos + records::layout::crc; i < pos + n; ++i) {
      std::vector<uint8_t> bad = good;
      bad[i] ^= 0x01;
      auto back = decode_entries(bad);
      ASSERT_FALSE(back) << "byte " << i;
      EXPECT_EQ(back.error(), WireError::corrupt_records);
    }
    pos += n;
  }
}

TEST(WireRecordsTest, TruncatedOrMutatedBytesNeverInventRecords) {
  std::vector<Entry> entries = entries_in_three_epochs();
  std::vector<uint8_t> good = encode_entries(entries, 1234);
  for (size_t n = 0; n < good.size(); ++n) {
    auto back = decode_entries(std::span<const uint8_t>(good.data(), n));
    if (!back) continue;  // corrupt: fine
    // A cut-off tail ends the input (as in Kafka): what comes back is a prefix of what was sent.
    ASSERT_LE(back->size(), entries.size());
    for (size_t i = 0; i < back->size(); ++i) EXPECT_EQ((*back)[i], entries[i]);
  }
  std::mt19937_64 rng(7);
  for (int round = 0; round < 5000; ++round) {
    std::vector<uint8_t> bad = good;
    bad[rng() % bad.size()] ^= static_cast<uint8_t>(1 + rng() % 255);
    (void)decode_entries(bad);  // any answer, no crash
  }
  for (int round = 0; round < 1000; ++round) {
    std::vector<uint8_t> garbage(rng() % 300);
    for (auto& b : garbage) b = static_cast<uint8_t>(rng());
    (void)decode_entries(garbage);
  }
}

TEST(WireRecordsTest, BatchesThatAreNotRaftEntriesAreRefused) {
  std::vector<Entry> first{Entry{Offset{0}, LeaderEpoch{1}, EntryType::data, "a"}};
  std::vector<Entry> gap{Entry{Offset{5}, LeaderEpoch{1}, EntryType::data, "b"}};
  std::vector<uint8_t> bytes = encode_entries(first, 0);
  std::vector<uint8_t> more = encode_entries(gap, 0);
  bytes.insert(bytes.end(), more.begin(), more.end());
  EXPECT_EQ(decode_entries(bytes).error(), WireError::invalid_records);

  // A transaction marker is a control batch, but not a raft entry.
  records::BatchOptions options;
  options.partition_leader_epoch = 1;
  EXPECT_EQ(decode_entries(records::build_control_batch(options, records::ControlType::commit, 0, 0)).error(),
            WireError::invalid_records);

  // A null value (a tombstone) is not a metadata record.
  records::RecordInput tombstone;
  tombstone.value = std::nullopt;
  EXPECT_EQ(decode_entries(records::build_batch(options, std::span<const records::RecordInput>(&tombstone, 1))).error(),
            WireError::invalid_records);

  // Offsets that would run past INT64_MAX.
  records::BatchOptions at_the_end;
  at_the_end.partition_leader_epoch = 1;
  at_the_end.base_offset = std::numeric_limits<int64_t>::max() - 1;
  std::vector<records::RecordInput> three(3);
  for (auto& in : three) in.value = "v";
  EXPECT_EQ(decode_entries(records::build_batch(at_the_end, three)).error(), WireError::invalid_records);

  // A batch without a leader epoch cannot say which epoch its records belong to.
  records::BatchOptions no_epoch;
  records::RecordInput r;
  r.value = "v";
  EXPECT_EQ(decode_entries(records::build_batch(no_epoch, std::span<const records::RecordInput>(&r, 1))).error(),
            WireError::invalid_records);
}

TEST(WireRecordsTest, CompressedBatchesAreRead) {
  records::BatchOptions options;
  options.base_offset = 3;
  options.partition_leader_epoch = 2;
  options.compression = records::Compression::zstd;
  std::vector<records::RecordInput> inputs(3);
  inputs[0].value = "a=1";
  inputs[1].value = "b=2";
  inputs[2].value = "c=3";
  auto back = decode_entries(records::build_batch(options, inputs));
  ASSERT_TRUE(back) << wire_error_name(back.error());
  ASSERT_EQ(back->size(), 3u);
  EXPECT_EQ((*back)[2], (Entry{Offset{5}, LeaderEpoch{2}, EntryType::data, "c=3"}));
}

}  // namespace
}  // namespace runnel::raft::wire
