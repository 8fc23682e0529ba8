#include <gtest/gtest.h>

#include "broker/storage/cleaner_selection.h"

namespace runnel::storage {
namespace {

// Segments of 100 offsets and 1000 bytes each; the last one is active.
std::vector<SegmentInfo> log_of(int n, int64_t ts0 = 1000, int64_t ts_step = 1000) {
  std::vector<SegmentInfo> v;
  for (int i = 0; i < n; ++i) {
    SegmentInfo s;
    s.base_offset = i * 100;
    s.next_offset = (i + 1) * 100;
    s.size_bytes = 1000;
    s.first_batch_timestamp = ts0 + i * ts_step;
    s.max_timestamp = ts0 + i * ts_step + ts_step - 1;
    s.stable = i + 1 < n;
    v.push_back(s);
  }
  return v;
}

LogConfig compact(double ratio = 0.5) {
  LogConfig c;
  c.cleanup_compact = true;
  c.min_cleanable_dirty_ratio = ratio;
  return c;
}

TEST(CleanerSelection, DeleteOnlyTopicsAreNeverCleaned) {
  LogConfig c;
  auto r = assess_cleanable(log_of(4), 0, 400, -1, c, 1'000'000);
  EXPECT_FALSE(r.cleanable);
}

TEST(CleanerSelection, ActiveSegmentIsNeverDirtyRange) {
  auto r = assess_cleanable(log_of(4), 0, 400, -1, compact(), 1'000'000);
  EXPECT_EQ(r.first_dirty, 0);
  EXPECT_EQ(r.first_uncleanable, 300);  // active segment base
  EXPECT_EQ(r.dirty_bytes, 3000);
  EXPECT_EQ(r.clean_bytes, 0);
  EXPECT_DOUBLE_EQ(r.ratio, 1.0);
  EXPECT_TRUE(r.cleanable);
  // A single (active) segment: nothing to clean.
  EXPECT_FALSE(assess_cleanable(log_of(1), 0, 100, -1, compact(), 1'000'000).cleanable);
}

TEST(CleanerSelection, DirtyRatioAgainstMinCleanableRatio) {
  // Checkpoint at 200: clean = segments 0,1 (2000 bytes), dirty = segments 2..4 (3000): ratio 0.6.
  auto segs = log_of(6);
  auto r = assess_cleanable(segs, 0, 600, 200, compact(0.5), 1'000'000);
  EXPECT_EQ(r.clean_bytes, 2000);
  EXPECT_EQ(r.dirty_bytes, 3000);
  EXPECT_DOUBLE_EQ(r.ratio, 0.6);
  EXPECT_TRUE(r.cleanable);
  EXPECT_FALSE(assess_cleanable(segs, 0, 600, 200, compact(0.6), 1'000'000).cleanable);  // needs > ratio
  EXPECT_FALSE(assess_cleanable(segs, 0, 600, 200, compact(0.7), 1'000'000).cleanable);
}

TEST(CleanerSelection, CheckpointOutsideLogResetsToLogStart) {
  auto segs = log_of(4);
  EXPECT_EQ(assess_cleanable(segs, 0, 400, 5000, compact(), 0).first_dirty, 0);
  segs.erase(segs.begin());  // retention removed segment 0
  EXPECT_EQ(assess_cleanable(segs, 100, 400, 50, compact(), 0).first_dirty, 100);
}

TEST(CleanerSelection, NothingDirtyMeansNothingToDo) {
  auto r = assess_cleanable(log_of(4), 0, 400, 300, compact(0.0), 1'000'000);
  EXPECT_EQ(r.dirty_bytes, 0);
  EXPECT_FALSE(r.cleanable);
}

TEST(CleanerSelection, MinCompactionLagHoldsBackYoungSegments) {
  // Segment max timestamps: 1999, 2999, 3999 (+ active). now = 5000, lag 2500: segments whose
  // largest timestamp > 2500 are uncleanable -> the first is segment 1 (base 100).
  auto c = compact(0.0);
  c.min_compaction_lag_ms = 2500;
  auto r = assess_cleanable(log_of(4), 0, 400, -1, c, 5000);
  EXPECT_EQ(r.first_uncleanable, 100);
  EXPECT_TRUE(r.cleanable);
  c.min_compaction_lag_ms = 4000;  // even segment 0 is too young
  r = assess_cleanable(log_of(4), 0, 400, -1, c, 5000);
  EXPECT_EQ(r.first_uncleanable, 0);
  EXPECT_FALSE(r.cleanable);
}

TEST(CleanerSelection, MaxCompactionLagForcesCleaningBelowTheRatio) {
  auto segs = log_of(6);
  auto c = compact(0.9);
  auto r = assess_cleanable(segs, 0, 600, 400, c, 1'000'000);  // ratio 1000/5000 = 0.2
  EXPECT_FALSE(r.cleanable);
  c.max_compaction_lag_ms = 10'000;  // first dirty segment's first batch (ts 5000) is older
  r = assess_cleanable(segs, 0, 600, 400, c, 1'000'000);
  EXPECT_TRUE(r.max_lag_exceeded);
  EXPECT_TRUE(r.cleanable);
  EXPECT_GT(r.priority(), 2.0);
  r = assess_cleanable(segs, 0, 600, 400, c, 10'000);  // not old enough yet
  EXPECT_FALSE(r.max_lag_exceeded);
  EXPECT_FALSE(r.cleanable);
}

TEST(CleanerSelection, UnsealedSegmentsAreUncleanable) {
  auto segs = log_of(4);
  segs[1].stable = false;  // the sealer has not finished with it
  auto r = assess_cleanable(segs, 0, 400, -1, compact(), 1'000'000);
  EXPECT_EQ(r.first_uncleanable, 100);
}

TEST(CleanerSelection, PassedDeleteHorizonTriggersCleaningOfTheCleanSection) {
  auto segs = log_of(4);
  auto r = assess_cleanable(segs, 0, 400, 300, compact(0.5), 5000, /*earliest horizon*/ 6000);
  EXPECT_FALSE(r.cleanable);
  r = assess_cleanable(segs, 0, 400, 300, compact(0.5), 6000, 6000);
  EXPECT_TRUE(r.delete_horizon_passed);
  EXPECT_TRUE(r.cleanable);
}

}  // namespace
}  // namespace runnel::storage
