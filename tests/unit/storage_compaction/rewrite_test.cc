#include <gtest/gtest.h>

#include "broker/storage/cleaner_rewrite.h"
#include "compaction_util.h"

namespace runnel::storage {
namespace {

using records::Compression;
using testing::keyed_batch;
using testing::KV;
using testing::records_of;

const uint8_t* u8(const std::string& s) { return reinterpret_cast<const uint8_t*>(s.data()); }

struct Rewrite : ::testing::Test {
  OffsetMap map{1 << 16};
  std::unordered_map<int64_t, int64_t> producers;
  FilterContext ctx;
  Rewrite() {
    ctx.map = &map;
    ctx.map_end = 1000;
    ctx.now_ms = 50'000;
    ctx.delete_retention_ms = 10'000;
    ctx.producer_last_offsets = &producers;
  }
  void latest(const std::string& key, int64_t offset) { map.put(u8(key), key.size(), offset); }
  records::BatchHeader header_of(const std::vector<uint8_t>& b) {
    records::BatchHeader h;
    records::parse_header(b.data(), b.size(), h);
    return h;
  }
};

class RewriteCodec : public Rewrite, public ::testing::WithParamInterface<Compression> {};

TEST_P(RewriteCodec, SupersededRecordsRemovedOffsetsAndProducerFieldsKept) {
  // Offsets 10..14: a, b, a, c, b. Latest: a@12, b@14, c@13 (c is later superseded at 20).
  auto in = keyed_batch({{"a", "a1", 100}, {"b", "b1", 101}, {"a", "a2", 102}, {"c", "c1", 103}, {"b", "b2", 104}},
                        GetParam(), /*pid*/ 7, /*epoch*/ 2, /*seq*/ 40, /*base*/ 10);
  records::set_partition_leader_epoch(in.data(), 5);
  latest("a", 12);
  latest("b", 14);
  latest("c", 20);
  std::vector<uint8_t> out;
  BatchOutcome o = filter_batch(in.data(), in.size(), ctx, out);
  EXPECT_EQ(o.action, BatchAction::rewritten);
  EXPECT_EQ(o.records_kept, 2);
  EXPECT_EQ(o.records_removed, 3);
  ASSERT_TRUE(records::batch_crc_matches(out.data(), out.size()));
  const auto h = header_of(out), orig = header_of(in);
  EXPECT_EQ(size_t(h.size_bytes()), out.size());
  EXPECT_EQ(h.base_offset, 10);
  EXPECT_EQ(h.last_offset(), 14);  // kept even though record 14 ... and the sequence with it
  EXPECT_EQ(h.records_count, 2);
  EXPECT_EQ(h.producer_id, 7);
  EXPECT_EQ(h.producer_epoch, 2);
  EXPECT_EQ(h.base_sequence, 40);
  EXPECT_EQ(h.last_sequence(), orig.last_sequence());
  EXPECT_EQ(h.partition_leader_epoch, 5);
  EXPECT_EQ(h.compression(), GetParam());
  EXPECT_EQ(h.base_timestamp, 102);
  EXPECT_EQ(h.max_timestamp, 104);
  EXPECT_FALSE(h.has_delete_horizon());
  auto recs = records_of(out);
  ASSERT_EQ(recs.size(), 2u);
  EXPECT_EQ(recs[0], (testing::Rec{12, "a", "a2", 102}));
  EXPECT_EQ(recs[1], (testing::Rec{14, "b", "b2", 104}));
  EXPECT_EQ(o.header.size_bytes(), h.size_bytes());
}

TEST_P(RewriteCodec, UntouchedBatchIsCopiedByteForByte) {
  auto in = keyed_batch({{"a", "1"}, {"b", "2"}}, GetParam(), -1, -1, -1, 0);
  latest("a", 0);
  std::vector<uint8_t> out;
  EXPECT_EQ(filter_batch(in.data(), in.size(), ctx, out).action, BatchAction::kept);
  EXPECT_EQ(out, in);
}

TEST_P(RewriteCodec, TombstoneGetsDeleteHorizonThenIsRemovedAfterIt) {
  auto in = keyed_batch({{"a", std::nullopt, 300}, {"b", "x", 301}}, GetParam(), -1, -1, -1, 0);
  std::vector<uint8_t> first;
  BatchOutcome o = filter_batch(in.data(), in.size(), ctx, first);
  EXPECT_EQ(o.action, BatchAction::rewritten);  // nothing removed, but the horizon must be set
  EXPECT_TRUE(o.tombstones_kept);
  EXPECT_EQ(o.delete_horizon, 60'000);
  auto h = header_of(first);
  EXPECT_TRUE(h.has_delete_horizon());
  EXPECT_EQ(h.base_timestamp, 60'000);
  EXPECT_EQ(h.max_timestamp, 301);
  auto recs = records_of(first);  // record timestamps survive the rebasing
  ASSERT_EQ(recs.size(), 2u);
  EXPECT_EQ(recs[0], (testing::Rec{0, "a", std::nullopt, 300}));
  EXPECT_EQ(recs[1], (testing::Rec{1, "b", "x", 301}));

  // Before the horizon: kept unchanged (the horizon is not moved).
  std::vector<uint8_t> second;
  ctx.now_ms = 59'999;
  EXPECT_EQ(filter_batch(first.data(), first.size(), ctx, second).action, BatchAction::kept);
  EXPECT_EQ(second, first);
  // At the horizon: the tombstone goes, the live record stays.
  std::vector<uint8_t> third;
  ctx.now_ms = 60'000;
  o = filter_batch(first.data(), first.size(), ctx, third);
  EXPECT_EQ(o.action, BatchAction::rewritten);
  EXPECT_FALSE(o.tombstones_kept);
  h = header_of(third);
  EXPECT_FALSE(h.has_delete_horizon());
  recs = records_of(third);
  ASSERT_EQ(recs.size(), 1u);
  EXPECT_EQ(recs[0], (testing::Rec{1, "b", "x", 301}));
}

INSTANTIATE_TEST_SUITE_P(Codecs, RewriteCodec,
                         ::testing::Values(Compression::none, Compression::gzip, Compression::snappy, Compression::lz4,
                                           Compression::zstd),
                         [](const auto& info) { return std::string(records::compression_name(info.param)); });

TEST_F(Rewrite, FullySupersededBatchIsDropped) {
  auto in = keyed_batch({{"a", "1"}}, Compression::none, -1, -1, -1, 3);
  latest("a", 9);
  std::vector<uint8_t> out;
  EXPECT_EQ(filter_batch(in.data(), in.size(), ctx, out).action, BatchAction::dropped);
  EXPECT_TRUE(out.empty());
}

TEST_F(Rewrite, LastBatchOfAProducerStaysAsEmptyBatch) {
  auto in = keyed_batch({{"a", "1"}, {"a", "2"}}, Compression::lz4, 42, 3, 17, 5);
  latest("a", 9);
  producers[42] = 6;  // this batch (5..6) is the producer's last
  std::vector<uint8_t> out;
  BatchOutcome o = filter_batch(in.data(), in.size(), ctx, out);
  EXPECT_EQ(o.action, BatchAction::kept_empty);
  ASSERT_EQ(out.size(), records::layout::header_size);
  ASSERT_TRUE(records::batch_crc_matches(out.data(), out.size()));
  auto h = header_of(out);
  EXPECT_EQ(h.base_offset, 5);
  EXPECT_EQ(h.last_offset(), 6);
  EXPECT_EQ(h.records_count, 0);
  EXPECT_EQ(h.producer_id, 42);
  EXPECT_EQ(h.producer_epoch, 3);
  EXPECT_EQ(h.base_sequence, 17);
  EXPECT_EQ(h.last_sequence(), 18);
  EXPECT_EQ(h.compression(), Compression::none);
  // Not the producer's last batch: dropped.
  producers[42] = 100;
  out.clear();
  EXPECT_EQ(filter_batch(in.data(), in.size(), ctx, out).action, BatchAction::dropped);
}

TEST_F(Rewrite, RecordsWithoutKeyAreRemoved) {
  std::vector<records::RecordInput> recs(2);
  recs[0].value = "no key";
  recs[1].key = "k";
  recs[1].value = "v";
  auto in = records::build_batch({}, recs);
  std::vector<uint8_t> out;
  BatchOutcome o = filter_batch(in.data(), in.size(), ctx, out);
  EXPECT_EQ(o.records_removed, 1);
  auto got = records_of(out);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].key, "k");
}

TEST_F(Rewrite, RecordsAtOrPastMapEndAreAlwaysKept) {
  auto in = keyed_batch({{"a", "1"}, {"a", std::nullopt}}, Compression::none, -1, -1, -1, 10);
  latest("a", 500);  // would supersede both, but the map covers only offsets < 11
  ctx.map_end = 11;
  std::vector<uint8_t> out;
  BatchOutcome o = filter_batch(in.data(), in.size(), ctx, out);
  EXPECT_EQ(o.records_removed, 1);
  auto got = records_of(out);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].offset, 11);
}

TEST_F(Rewrite, ControlBatchesAreKeptWhole) {
  records::BatchOptions o;
  o.producer_id = 1;
  o.producer_epoch = 0;
  auto in = records::build_control_batch(o, records::ControlType::commit, 0, 1000);
  std::vector<uint8_t> out;
  EXPECT_EQ(filter_batch(in.data(), in.size(), ctx, out).action, BatchAction::kept);
  EXPECT_EQ(out, in);
}

}  // namespace
}  // namespace runnel::storage
