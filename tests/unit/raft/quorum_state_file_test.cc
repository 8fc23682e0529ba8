// The quorum-state file (broker/raft/quorum_state_file.h): Kafka's JSON format both ways, damaged
// files as error values, and atomicity under power cuts at every step of a write: the file then
// reads as the old state or the new one, and a write that returned success is never lost.

#include "broker/raft/quorum_state_file.h"

#include <fcntl.h>
#include <gtest/gtest.h>

#include <random>

#include "broker/storage/fault_files.h"

namespace runnel::raft {
namespace {

using storage::FaultFiles;

TEST(QuorumStateFileTest, WritesKafkasVersion1Format) {
  QuorumStateData s{LeaderEpoch{2}, NodeId{1}, NodeId{-1}};
  EXPECT_EQ(encode_quorum_state(s),
            R"({"leaderId":-1,"leaderEpoch":2,"votedId":1,"votedDirectoryId":"AAAAAAAAAAAAAAAAAAAAAA","data_version":1})");
  auto back = decode_quorum_state(encode_quorum_state(s));
  ASSERT_TRUE(back);
  EXPECT_EQ(*back, s);
}

TEST(QuorumStateFileTest, ReadsKafkasFilesOfBothVersions) {
  // The examples of Kafka's FileQuorumStateStore.
  auto v0 = decode_quorum_state(
      R"({"clusterId":"","leaderId":1,"leaderEpoch":2,"votedId":-1,"appliedOffset":0,"currentVoters":[],"data_version":0})");
  ASSERT_TRUE(v0) << v0.error().message;
  EXPECT_EQ(*v0, (QuorumStateData{LeaderEpoch{2}, NodeId{-1}, NodeId{1}}));
  auto v1 = decode_quorum_state(
      R"({"leaderId":-1,"leaderEpoch":2,"votedId":1,"votedDirectoryId":"J8aAPcfLQt2bqs1JT_rMgQ","data_version":1})"
      "\n");
  ASSERT_TRUE(v1) << v1.error().message;
  EXPECT_EQ(*v1, (QuorumStateData{LeaderEpoch{2}, NodeId{1}, NodeId{-1}}));
}

TEST(QuorumStateFileTest, DamagedFilesAreErrors) {
  for (const char* text : {
           "",
           "{",
           "[]",
           "null",
           R"({"leaderId":-1,"leaderEpoch":2,"votedId":1,"votedDirectoryId":"AAAAAAAAAAAAAAAAAAAAAA"})",  // no version
           R"({"leaderId":-1,"leaderEpoch":2,"votedId":1,"votedDirectoryId":"AAAAAAAAAAAAAAAAAAAAAA","data_version":2})",
           R"({"leaderId":-1,"votedId":1,"votedDirectoryId":"AAAAAAAAAAAAAAAAAAAAAA","data_version":1})",  // no epoch
           R"({"leaderId":-1,"leaderEpoch":-3,"votedId":1,"votedDirectoryId":"AAAAAAAAAAAAAAAAAAAAAA","data_version":1})",
           R"({"leaderId":-1,"leaderEpoch":2,"votedId":"1","votedDirectoryId":"AAAAAAAAAAAAAAAAAAAAAA","data_version":1})",
           R"({"leaderId":-1,"leaderEpoch":4294967296,"votedId":1,"votedDirectoryId":"AAAAAAAAAAAAAAAAAAAAAA","data_version":1})",
           R"({"leaderId":-1,"leaderEpoch":2,"votedId":1,"data_version":1})",  // v1 without votedDirectoryId
           R"({"leaderId":-1,"leaderEpoch":2,"votedId":1,"votedDirectoryId":"not a uuid","data_version":1})",
       }) {
    auto r = decode_quorum_state(text);
    ASSERT_FALSE(r) << text;
    EXPECT_EQ(r.error().kind, QuorumStateFileError::Kind::damaged) << text;
  }
  std::string good = encode_quorum_state({LeaderEpoch{5}, NodeId{2}, NodeId{2}});
  for (size_t n = 0; n + 1 < good.size(); ++n) EXPECT_FALSE(decode_quorum_state(good.substr(0, n))) << n;
}

struct QuorumStateFileOnDisk : ::testing::Test {
  storage::ManualClock clock;
  FaultFiles fs{clock};

  int open_dir() { return fs.open(AT_FDCWD, "/q", O_RDONLY | O_DIRECTORY).run(); }
  void make_dir() {
    ASSERT_EQ(fs.mkdir(AT_FDCWD, "/q", 0755).run(), 0);
    int root = fs.open(AT_FDCWD, "/", O_RDONLY | O_DIRECTORY).run();
    ASSERT_EQ(fs.fsync(root).run(), 0);
    fs.close(root).run();
  }
};

TEST_F(QuorumStateFileOnDisk, MissingFileIsNoStateAndWritesReadBack) {
  make_dir();
  int dir = open_dir();
  auto none = read_quorum_state(fs, dir);
  ASSERT_TRUE(none);
  EXPECT_FALSE(*none);
  QuorumStateData s{LeaderEpoch{3}, NodeId{2}, NodeId{2}};
  ASSERT_TRUE(write_quorum_state(fs, dir, s));
  auto back = read_quorum_state(fs, dir);
  ASSERT_TRUE(back && *back);
  EXPECT_EQ(**back, s);
  EXPECT_FALSE(fs.exists("/q/quorum-state.tmp"));  // renamed in
}

TEST_F(QuorumStateFileOnDisk, DamagedFileAndIoErrorsAreErrorValues) {
  make_dir();
  int dir = open_dir();
  int fd = fs.open(dir, "quorum-state", O_CREAT | O_WRONLY, 0644).run();
  ASSERT_GE(fd, 0);
  ASSERT_EQ(fs.write(fd, "{\"leaderId\":", 12, 0).run(), 12);
  fs.close(fd).run();
  auto damaged = read_quorum_state(fs, dir);
  ASSERT_FALSE(damaged);
  EXPECT_EQ(damaged.error().kind, QuorumStateFileError::Kind::damaged);

  fs.set_fault_hook([](storage::FileOpKind kind, const std::string&) { return kind == storage::FileOpKind::rename ? -EIO : 0; });
  auto failed = write_quorum_state(fs, dir, {LeaderEpoch{1}, NodeId{-1}, NodeId{-1}});
  ASSERT_FALSE(failed);
  EXPECT_EQ(failed.error().kind, QuorumStateFileError::Kind::io);
  fs.set_fault_hook([](storage::FileOpKind kind, const std::string&) { return kind == storage::FileOpKind::open ? -EIO : 0; });
  auto unreadable = read_quorum_state(fs, dir);
  ASSERT_FALSE(unreadable);
  EXPECT_EQ(unreadable.error().kind, QuorumStateFileError::Kind::io);
}

// The power goes at every step of a write (after 0, 1, 2, ... state-changing operations), and the
// restart keeps a random subset of what was not synced. Whatever survives reads as the old state
// or the new one; when the write returned success, as the new one.
TEST_F(QuorumStateFileOnDisk, PowerCutAtAnyStepLeavesOldOrNewNeverTorn) {
  const QuorumStateData old_state{LeaderEpoch{4}, NodeId{1}, NodeId{-1}};
  const QuorumStateData new_state{LeaderEpoch{5}, NodeId{3}, NodeId{3}};
  // How many state-changing operations one write makes.
  uint64_t ops_per_write = 0;
  {
    FaultFiles probe(clock);
    ASSERT_EQ(probe.mkdir(AT_FDCWD, "/q", 0755).run(), 0);
    int dir = probe.open(AT_FDCWD, "/q", O_RDONLY | O_DIRECTORY).run();
    uint64_t before = probe.mutating_ops();
    ASSERT_TRUE(write_quorum_state(probe, dir, old_state));
    ops_per_write = probe.mutating_ops() - before;
  }
  ASSERT_GE(ops_per_write, 4u);  // write, fdatasync, rename, fsync at least

  int cases = 0;
  for (bool had_old : {false, true}) {
    for (uint64_t cut = 0; cut <= ops_per_write; ++cut) {
      for (double keep : {0.0, 0.5, 1.0}) {
        for (uint64_t seed = 1; seed <= 8; ++seed) {
          FaultFiles disk(clock);
          ASSERT_EQ(disk.mkdir(AT_FDCWD, "/q", 0755).run(), 0);
          int root = disk.open(AT_FDCWD, "/", O_RDONLY | O_DIRECTORY).run();
          ASSERT_EQ(disk.fsync(root).run(), 0);
          disk.close(root).run();
          int dir = disk.open(AT_FDCWD, "/q", O_RDONLY | O_DIRECTORY).run();
          if (had_old) {
            ASSERT_TRUE(write_quorum_state(disk, dir, old_state));
          }
          disk.power_off_after(cut);
          bool acknowledged = write_quorum_state(disk, dir, new_state).has_value();
          std::mt19937_64 rng(seed);
          disk.power_cut(rng, keep);
          ++cases;

          int dir_after = disk.open(AT_FDCWD, "/q", O_RDONLY | O_DIRECTORY).run();
          ASSERT_GE(dir_after, 0);
          auto read = read_quorum_state(disk, dir_after);
          ASSERT_TRUE(read) << "cut after " << cut << " keep " << keep << " seed " << seed << ": " << read.error().message;
          if (acknowledged) {
            ASSERT_TRUE(*read);
            EXPECT_EQ(**read, new_state) << "an acknowledged write was lost (cut " << cut << ")";
          } else if (!*read) {
            EXPECT_FALSE(had_old) << "the old state vanished (cut " << cut << ")";
          } else {
            EXPECT_TRUE(**read == old_state || **read == new_state) << "cut " << cut;
            if (!had_old) {
              EXPECT_EQ(**read, new_state);
            }
          }
          // And the node can write again after the restart (a leftover temporary is replaced).
          ASSERT_TRUE(write_quorum_state(disk, dir_after, new_state));
          auto again = read_quorum_state(disk, dir_after);
          ASSERT_TRUE(again && *again);
          EXPECT_EQ(**again, new_state);
        }
      }
    }
  }
  EXPECT_GT(cases, 100);
}

}  // namespace
}  // namespace runnel::raft
