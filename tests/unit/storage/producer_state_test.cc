#include "broker/storage/producer_state.h"

#include <gtest/gtest.h>

#include <limits>

#include "test_util.h"

namespace runnel::storage {
namespace {

records::BatchHeader batch(int64_t pid, int16_t epoch, int32_t first_seq, int32_t count) {
  records::BatchHeader h;
  h.producer_id = pid;
  h.producer_epoch = epoch;
  h.base_sequence = first_seq;
  h.records_count = count;
  h.last_offset_delta = count - 1;
  return h;
}

TEST(ProducerState, NonIdempotentBypasses) {
  ProducerStateTable t;
  auto h = batch(-1, -1, -1, 3);
  EXPECT_EQ(t.check(h).kind, ProducerCheck::Kind::ok);
  t.update(h, Offset(0), AppendOrigin::client);
  EXPECT_EQ(t.size(), 0u);
}

TEST(ProducerState, InSequenceThenGapIsOutOfOrder) {
  ProducerStateTable t;
  t.update(batch(7, 0, 0, 5), Offset(100), AppendOrigin::client);  // seq 0..4
  EXPECT_EQ(t.check(batch(7, 0, 5, 1)).kind, ProducerCheck::Kind::ok);
  auto gap = t.check(batch(7, 0, 6, 1));
  EXPECT_EQ(gap.kind, ProducerCheck::Kind::error);
  EXPECT_EQ(gap.error, Errc::out_of_order_sequence);
}

TEST(ProducerState, DuplicateOfLastFiveReturnsOriginalOffsets) {
  ProducerStateTable t;
  for (int i = 0; i < 6; ++i) t.update(batch(7, 0, i * 2, 2), Offset(100 + i * 2), AppendOrigin::client);
  // Batch 0 (seq 0-1) fell out of the window of 5; batches 1..5 are remembered.
  auto d = t.check(batch(7, 0, 2, 2));
  ASSERT_EQ(d.kind, ProducerCheck::Kind::duplicate);
  EXPECT_EQ(d.base_offset, Offset(102));
  EXPECT_EQ(d.last_offset, Offset(103));
  EXPECT_EQ(t.check(batch(7, 0, 10, 2)).kind, ProducerCheck::Kind::duplicate);
  EXPECT_EQ(t.check(batch(7, 0, 0, 2)).error, Errc::out_of_order_sequence);
  // Same first sequence, different length: not a duplicate.
  EXPECT_EQ(t.check(batch(7, 0, 10, 1)).kind, ProducerCheck::Kind::error);
}

TEST(ProducerState, OlderEpochIsFenced) {
  ProducerStateTable t;
  t.update(batch(7, 3, 0, 1), Offset(0), AppendOrigin::client);
  EXPECT_EQ(t.check(batch(7, 2, 1, 1)).error, Errc::invalid_producer_epoch);
}

// Replay takes the log as written (Kafka warns and accepts on replication); a client batch
// with an older epoch would have been fenced by check(), so recording one is a broken invariant.
TEST(ProducerState, EpochGoesBackOnlyOnReplay) {
  ProducerStateTable t;
  t.update(batch(7, 3, 0, 1), Offset(0), AppendOrigin::client);
  t.update(batch(7, 2, 0, 1), Offset(1), AppendOrigin::replay);
  EXPECT_EQ(t.find(ProducerId(7))->epoch, ProducerEpoch(2));
  EXPECT_DEATH(t.update(batch(7, 1, 0, 1), Offset(2), AppendOrigin::client), "epoch went backwards from 2 to 1");
}

TEST(ProducerState, NewEpochMustStartAtZero) {
  ProducerStateTable t;
  t.update(batch(7, 1, 0, 3), Offset(0), AppendOrigin::client);
  EXPECT_EQ(t.check(batch(7, 2, 3, 1)).error, Errc::out_of_order_sequence);
  EXPECT_EQ(t.check(batch(7, 2, 0, 1)).kind, ProducerCheck::Kind::ok);
  t.update(batch(7, 2, 0, 1), Offset(3), AppendOrigin::client);
  EXPECT_EQ(t.find(ProducerId(7))->epoch, ProducerEpoch(2));
  EXPECT_EQ(t.find(ProducerId(7))->batches.size(), 1u);
}

TEST(ProducerState, UnknownProducerAcceptsAnySequence) {
  ProducerStateTable t;
  EXPECT_EQ(t.check(batch(9, 0, 42, 1)).kind, ProducerCheck::Kind::ok);
}

TEST(ProducerState, SequenceWrapsAtInt32Max) {
  ProducerStateTable t;
  const int32_t max = std::numeric_limits<int32_t>::max();
  t.update(batch(7, 0, max - 1, 2), Offset(0), AppendOrigin::client);  // max-1, max
  EXPECT_EQ(t.find(ProducerId(7))->last_seq(), max);
  EXPECT_EQ(t.check(batch(7, 0, 0, 1)).kind, ProducerCheck::Kind::ok);
  EXPECT_EQ(t.check(batch(7, 0, 1, 1)).kind, ProducerCheck::Kind::error);
  // A batch spanning the wrap: last sequence wraps too.
  ProducerStateTable u;
  u.update(batch(8, 0, max, 3), Offset(0), AppendOrigin::client);  // max, 0, 1
  EXPECT_EQ(u.find(ProducerId(8))->last_seq(), 1);
  EXPECT_EQ(u.check(batch(8, 0, 2, 1)).kind, ProducerCheck::Kind::ok);
}

}  // namespace
}  // namespace runnel::storage
