// Invariants where state changes hands: an append from inside the broker that breaks one is a
// bug and stops the process; the same breach in input (a replicated append) is an error value.

#include <gtest/gtest.h>

#include "test_util.h"

namespace runnel::storage {
namespace {

using testing::borrow;
using testing::LogFixture;
using testing::make_batch;

using LogInvariants = LogFixture;

std::vector<uint8_t> batch_at(int64_t base, int n) {
  std::vector<uint8_t> b = make_batch(n);
  records::set_base_offset(b.data(), base);
  return b;
}

TEST_F(LogInvariants, ReplicatedBatchesMustNotOverlapEachOther) {
  open_log();
  // Two batches in one append where the second starts inside the first: refused, nothing appended.
  std::vector<uint8_t> both = batch_at(0, 3);
  std::vector<uint8_t> second = batch_at(2, 2);
  both.insert(both.end(), second.begin(), second.end());
  EXPECT_EQ(ring.block_on(log->append_replicated(borrow(both))).error, Errc::offset_out_of_range);
  EXPECT_EQ(log->log_end_offset(), Offset(0));
  // In order, with a gap (the leader's offsets are kept): accepted.
  std::vector<uint8_t> ok = batch_at(0, 3);
  std::vector<uint8_t> later = batch_at(5, 2);
  ok.insert(ok.end(), later.begin(), later.end());
  AppendResult r = ring.block_on(log->append_replicated(borrow(ok)));
  EXPECT_EQ(r.error, Errc::none);
  EXPECT_EQ(r.last_offset, Offset(6));
}

TEST_F(LogInvariants, LeaderEpochNeverGoesBackwards) {
  open_log();
  ASSERT_EQ(append_n(1).error, Errc::none);  // epoch 0
  auto b = make_batch(1);
  ASSERT_EQ(append(b, 3).error, Errc::none);
  auto again = make_batch(1);
  ASSERT_EQ(append(again, 3).error, Errc::none);  // the same epoch is fine
  auto older = make_batch(1);
  EXPECT_DEATH(append(older, 2), "leader epoch went backwards from 3 to 2");
}

}  // namespace
}  // namespace runnel::storage
