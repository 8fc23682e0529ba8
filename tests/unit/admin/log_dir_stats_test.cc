#include "broker/admin/log_dir_stats.h"

#include <sys/statvfs.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include <gtest/gtest.h>

namespace runnel::admin {
namespace {

TEST(LogDirStats, MatchesStatvfsOfTheDirectory) {
  const std::string dir = std::filesystem::temp_directory_path().string();
  std::optional<LogDirSpace> space = read_log_dir_space(dir);
  ASSERT_TRUE(space.has_value());
  struct statvfs s {};
  ASSERT_EQ(statvfs(dir.c_str(), &s), 0);
  EXPECT_DOUBLE_EQ(space->capacity_bytes, static_cast<double>(s.f_blocks) * static_cast<double>(s.f_frsize));
  EXPECT_GT(space->capacity_bytes, 0);
  EXPECT_LE(space->available_bytes, space->capacity_bytes);
}

TEST(LogDirStats, MissingDirectoryHasNoSeries) {
  EXPECT_FALSE(read_log_dir_space("/nonexistent/runnel-log-dir").has_value());
  auto families = log_dir_families({"/nonexistent/runnel-log-dir"}, {});
  ASSERT_EQ(families.size(), 3u);
  EXPECT_EQ(families[0].name, "runnel_log_dir_capacity_bytes");
  EXPECT_EQ(families[1].name, "runnel_log_dir_available_bytes");
  EXPECT_TRUE(families[0].metric.empty());
  EXPECT_TRUE(families[1].metric.empty());
  EXPECT_EQ(families[2].name, "runnel_log_dir_failed");  // every directory, readable or not
  ASSERT_EQ(families[2].metric.size(), 1u);
  EXPECT_EQ(families[2].metric[0].gauge.value, 0);
}

TEST(LogDirStats, OneSeriesPerReadableDirLabelledByDir) {
  const std::string tmp = std::filesystem::temp_directory_path().string();
  auto families = log_dir_families({tmp, "/nonexistent/x", "/"}, {"/"});
  ASSERT_EQ(families.size(), 3u);
  ASSERT_EQ(families[2].metric.size(), 3u);
  EXPECT_EQ(families[2].metric[0].gauge.value, 0);
  EXPECT_EQ(families[2].metric[2].label.at(0).value, "/");
  EXPECT_EQ(families[2].metric[2].gauge.value, 1);
  families.pop_back();
  for (const auto& f : families) {
    ASSERT_EQ(f.metric.size(), 2u) << f.name;
    EXPECT_EQ(f.metric[0].label.at(0).name, "dir");
    EXPECT_EQ(f.metric[0].label.at(0).value, tmp);
    EXPECT_EQ(f.metric[1].label.at(0).value, "/");
  }
  EXPECT_GT(families[0].metric[0].gauge.value, 0);
}

}  // namespace
}  // namespace runnel::admin
