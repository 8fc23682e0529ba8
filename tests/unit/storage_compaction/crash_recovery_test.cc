// A crash at every point of the swap protocol (cleaner_recovery.h): the swap is stopped there
// (test stop point), the log is dropped without close like kill -9, and reopened. Before the
// commit the old segments must come back; from the commit on the compacted ones. Either way
// nothing is lost or duplicated and no temporary file survives; a later cleaning works.
#include <gtest/gtest.h>

#include <fcntl.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <map>

#include "broker/storage/cleaner_recovery.h"
#include "compaction_util.h"

namespace runnel::storage {
namespace {

using testing::CompactionFixture;
using testing::keyed_batch;
using testing::KV;
using testing::numbered;
using testing::Rec;

std::vector<KV> history() { return testing::history(200, 15); }

std::vector<Rec> all_records(const std::vector<KV>& h) {
  std::vector<Rec> out;
  for (size_t o = 0; o < h.size(); ++o) out.push_back({int64_t(o), h[o].key, h[o].value, h[o].ts});
  return out;
}

struct CrashAt : CompactionFixture, ::testing::WithParamInterface<CleanerCrashPoint> {
  void SetUp() override {
    CompactionFixture::SetUp();
    config.segment_bytes = int64_t(keyed_batch({{"k10", "v100"}}).size()) * 10;
  }
  std::vector<std::string> temp_files() {
    std::vector<std::string> out;
    for (const auto& e : std::filesystem::directory_iterator(dir)) {
      const std::string n = e.path().filename().string();
      if (n.find(".cleaned") != std::string::npos || n.find(".swap") != std::string::npos ||
          n.find(".deleted") != std::string::npos) {
        out.push_back(n);
      }
    }
    return out;
  }
};

TEST_P(CrashAt, RecoveryCompletesOrRollsBack) {
  open_log();
  const auto h = history();
  write(h);
  // Merge every sealed segment into one group, so the swap renames old segments to .deleted.
  LogConfig big = config;
  big.segment_bytes = 1 << 30;
  log->update_config(big);
  const int64_t uncleanable = assess_log(*log, 10'000'000).first_uncleanable;
  ASSERT_GT(uncleanable, 100);

  set_cleaner_stop_point(GetParam());
  CleanResult r = clean();
  ASSERT_EQ(r.status, CleanResult::Status::aborted) << r.message;
  set_cleaner_stop_point(CleanerCrashPoint::none);
  EXPECT_FALSE(temp_files().empty() && GetParam() != CleanerCrashPoint::before_index_files);
  crash();

  open_log();
  EXPECT_TRUE(temp_files().empty());
  const bool committed = GetParam() >= CleanerCrashPoint::after_commit;
  EXPECT_EQ(read_all(), committed ? testing::expected_after(h, uncleanable) : all_records(h));
  EXPECT_EQ(log->log_start_offset().value(), 0);
  EXPECT_EQ(log->log_end_offset().value(), int64_t(h.size()));
  // The log keeps working: append, clean again, same final content.
  CleanResult again = clean();
  EXPECT_TRUE(again.status == CleanResult::Status::cleaned || again.status == CleanResult::Status::nothing)
      << again.message;
  EXPECT_EQ(read_all(), testing::expected_after(h, uncleanable));
  close_log();
  open_log();
  EXPECT_EQ(read_all(), testing::expected_after(h, uncleanable));
}

INSTANTIATE_TEST_SUITE_P(Points, CrashAt,
                         ::testing::Values(CleanerCrashPoint::after_cleaned, CleanerCrashPoint::before_commit,
                                           CleanerCrashPoint::after_commit, CleanerCrashPoint::before_final_rename,
                                           CleanerCrashPoint::before_index_files),
                         [](const auto& info) { return std::string(crash_point_name(info.param)); });

// Hand-made directory states, independent of the swap code.
struct HandMade : CompactionFixture {
  void touch(const std::string& name, const std::string& content = "") {
    std::ofstream(dir + "/" + name) << content;
  }
  int dir_fd() { return ::open(dir.c_str(), O_RDONLY | O_DIRECTORY); }
};

TEST_F(HandMade, SwapReplacesExactlyTheDeletedRange) {
  std::filesystem::create_directories(dir);
  touch(segment_file_name(0, ".log"), "old0");
  touch(segment_file_name(0, ".index"), "stale");
  touch(segment_file_name(10, ".log.deleted"), "old10");
  touch(segment_file_name(10, ".index"), "");
  touch(segment_file_name(20, ".log.deleted"), "old20");
  touch(segment_file_name(0, ".log.swap"), "new0");
  touch(segment_file_name(30, ".log"), "next");
  touch(segment_file_name(40, ".log.deleted"), "uncommitted");  // another group, not committed
  touch(segment_file_name(50, ".log"), "after");
  touch(segment_file_name(40, ".log.cleaned"), "partial");
  int fd = dir_fd();
  CleanerRecoveryStats stats;
  auto recovered = recover_interrupted_cleaning(BlockingFiles::instance(), fd, stats);
  ASSERT_TRUE(recovered.has_value()) << recovered.error();
  ::close(fd);
  EXPECT_EQ(stats.swaps_completed, 1);
  EXPECT_EQ(stats.deleted_removed, 2);
  EXPECT_EQ(stats.segments_restored, 1);
  EXPECT_EQ(stats.cleaned_deleted, 1);
  std::set<std::string> names;
  for (const auto& e : std::filesystem::directory_iterator(dir)) names.insert(e.path().filename().string());
  EXPECT_EQ(names, (std::set<std::string>{segment_file_name(0, ".log"), segment_file_name(30, ".log"),
                                          segment_file_name(40, ".log"), segment_file_name(50, ".log")}));
  std::ifstream in(path(0, ".log"));
  std::string s;
  in >> s;
  EXPECT_EQ(s, "new0");
}

TEST_F(HandMade, DeletedNextToALiveLogIsRemoved) {
  std::filesystem::create_directories(dir);
  touch(segment_file_name(10, ".log"), "live");
  touch(segment_file_name(10, ".log.deleted"), "dup");
  int fd = dir_fd();
  CleanerRecoveryStats stats;
  ASSERT_TRUE(recover_interrupted_cleaning(BlockingFiles::instance(), fd, stats).has_value());
  ::close(fd);
  EXPECT_FALSE(std::filesystem::exists(path(10, ".log.deleted")));
  EXPECT_TRUE(std::filesystem::exists(path(10, ".log")));
}

}  // namespace
}  // namespace runnel::storage
