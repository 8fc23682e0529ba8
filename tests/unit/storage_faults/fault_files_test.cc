// The fault-injecting file system itself: what survives a power cut, and injected errors.
#include "broker/storage/fault_files.h"

#include <fcntl.h>
#include <gtest/gtest.h>

#include <random>

namespace runnel::storage {
namespace {

struct FaultFilesTest : ::testing::Test {
  ManualClock clock;
  FaultFiles fs{clock};
  std::mt19937_64 rng{1};

  int open(const char* path, int flags) { return fs.open(AT_FDCWD, path, flags, 0644).run(); }
  void write(int fd, const std::string& s, uint64_t at) {
    ASSERT_EQ(fs.write(fd, s.data(), uint32_t(s.size()), at).run(), int32_t(s.size()));
  }
  std::string text(const char* path) {
    std::vector<uint8_t> b = fs.contents(path);
    return {b.begin(), b.end()};
  }
  // "/d/a", created in a durable directory "/d" (the file's own entry is not synced).
  int new_file() {
    mkdir_synced("/d");
    return open("/d/a", O_CREAT | O_RDWR);
  }
  void mkdir_synced(const char* path) {
    ASSERT_EQ(fs.mkdir(AT_FDCWD, path, 0755).run(), 0);
    int root = open("/", O_RDONLY | O_DIRECTORY);
    ASSERT_EQ(fs.fsync(root).run(), 0);
    fs.close(root).run();
  }
};

TEST_F(FaultFilesTest, UnsyncedEntriesAndBytesAreLostSyncedOnesKept) {
  int fd = new_file();
  write(fd, "synced", 0);
  ASSERT_EQ(fs.fdatasync(fd).run(), 0);
  write(fd, "-more", 6);
  int dir = open("/d", O_RDONLY | O_DIRECTORY);
  ASSERT_EQ(fs.fsync(dir).run(), 0);  // the entry "a" is durable now
  int fd2 = open("/d/b", O_CREAT | O_RDWR);
  write(fd2, "data", 0);
  ASSERT_EQ(fs.fdatasync(fd2).run(), 0);  // data synced, entry not
  fs.power_cut(rng, 0.0);
  EXPECT_EQ(text("/d/a"), "synced");
  EXPECT_FALSE(fs.exists("/d/b"));
  EXPECT_EQ(fs.open_files(), 0u);
}

TEST_F(FaultFilesTest, KeepingEverythingIsAKill9) {
  int fd = new_file();
  write(fd, "abc", 0);
  ASSERT_EQ(fs.rename(AT_FDCWD, "/d/a", AT_FDCWD, "/d/b").run(), 0);
  fs.power_cut(rng, 1.0);
  EXPECT_FALSE(fs.exists("/d/a"));
  EXPECT_EQ(text("/d/b"), "abc");
}

TEST_F(FaultFilesTest, ALostChangeOnANameLosesTheLaterOnesOnIt) {
  mkdir_synced("/d");
  // create a, rename a -> b: if the create is lost, the rename must be lost too.
  for (int i = 0; i < 200; ++i) {
    std::string a = "/d/a" + std::to_string(i), b = "/d/b" + std::to_string(i);
    int fd = open(a.c_str(), O_CREAT | O_RDWR);
    fs.close(fd).run();
    ASSERT_EQ(fs.rename(AT_FDCWD, a.c_str(), AT_FDCWD, b.c_str()).run(), 0);
  }
  fs.power_cut(rng, 0.5);
  int kept = 0;
  for (int i = 0; i < 200; ++i) {
    const bool a = fs.exists("/d/a" + std::to_string(i)), b = fs.exists("/d/b" + std::to_string(i));
    EXPECT_FALSE(a && b) << i;
    kept += b ? 1 : 0;
  }
  EXPECT_GT(kept, 10);
  EXPECT_LT(kept, 190);
}

TEST_F(FaultFilesTest, UnsyncedPagesSurviveIndependently) {
  int fd = new_file();
  int dir = open("/d", O_RDONLY | O_DIRECTORY);
  ASSERT_EQ(fs.fsync(dir).run(), 0);
  write(fd, std::string(3 * 4096, 'x'), 0);
  fs.power_cut(rng, 0.5);
  const std::string t = text("/d/a");
  ASSERT_EQ(t.size() % 4096, 0u);
  for (size_t page = 0; page < t.size() / 4096; ++page) {
    const std::string p = t.substr(page * 4096, 4096);
    EXPECT_TRUE(p == std::string(4096, 'x') || p == std::string(4096, '\0')) << page;
  }
}

TEST_F(FaultFilesTest, PowerOffFailsEveryLaterOperation) {
  int fd = new_file();
  fs.power_off_after(1);
  write(fd, "one", 0);
  EXPECT_EQ(fs.write(fd, "two", 3, 3).run(), -EIO);
  EXPECT_EQ(fs.fdatasync(fd).run(), -EIO);
  EXPECT_TRUE(fs.powered_off());
  EXPECT_EQ(text("/d/a"), "one");
}

TEST_F(FaultFilesTest, CapacityAndHookInjectErrors) {
  int fd = new_file();
  fs.set_capacity(10);
  write(fd, "0123456789", 0);
  EXPECT_EQ(fs.write(fd, "x", 1, 10).run(), -ENOSPC);
  write(fd, "x", 0);  // overwriting takes no space
  fs.set_capacity(UINT64_MAX);
  write(fd, "x", 10);
  fs.set_fault_hook([](FileOpKind k, const std::string& path) {
    return k == FileOpKind::fdatasync && path == "/d/a" ? -EIO : 0;
  });
  EXPECT_EQ(fs.fdatasync(fd).run(), -EIO);
}

}  // namespace
}  // namespace runnel::storage
