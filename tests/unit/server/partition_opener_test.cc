// open_partitions (server/partition_opener.h): a batch of new partitions opened together on a
// real file system, the stale incarnation's directory replaced, records of a partition that
// survived a crash kept.

#include "broker/server/partition_opener.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "broker/cluster/partition_metadata.h"
#include "tests/unit/storage/test_util.h"

namespace runnel::server {
namespace {

namespace fs = std::filesystem;
using storage::testing::borrow;
using storage::testing::make_batch;

struct PartitionOpenerTest : ::testing::Test, storage::testing::RealEnv {
  std::string log_dir = fs::path(storage::testing::temp_dir()).parent_path().string() + "/logs";

  void TearDown() override { fs::remove_all(fs::path(log_dir).parent_path()); }

  PartitionOpen entry(const std::string& name, Uuid id) {
    PartitionOpen p;
    p.dir = log_dir + "/" + name;
    p.topic_id = id;
    return p;
  }
  void close(std::vector<PartitionOpen>& batch) {
    for (PartitionOpen& p : batch) {
      if (p.log) ring.block_on(p.log->close());
      p.log.reset();
    }
  }
};

TEST_F(PartitionOpenerTest, OpensABatchOfNewPartitions) {
  const Uuid id = Uuid::random();
  std::vector<PartitionOpen> batch;
  for (int i = 0; i < 50; ++i) batch.push_back(entry("t-" + std::to_string(i), id));
  open_partitions(env, log_dir, batch, /*background=*/false, 4);
  for (const PartitionOpen& p : batch) {
    ASSERT_NE(p.log, nullptr) << p.dir << ": " << p.error;
    EXPECT_EQ(p.log->log_end_offset(), Offset(0));
    Uuid read;
    ASSERT_TRUE(cluster::read_partition_metadata(p.dir, read)) << p.dir;
    EXPECT_EQ(read, id);
    // A new partition writes no recovery checkpoint: a missing one already means "unclean from 0".
    EXPECT_FALSE(fs::exists(p.dir + "/recovery-checkpoint")) << p.dir;
  }
  close(batch);
}

TEST_F(PartitionOpenerTest, KeepsTheRecordsOfTheSameTopicAfterACrash) {
  const Uuid id = Uuid::random();
  std::vector<PartitionOpen> batch;
  batch.push_back(entry("t-0", id));
  open_partitions(env, log_dir, batch, /*background=*/false);
  ASSERT_NE(batch[0].log, nullptr) << batch[0].error;
  auto records = make_batch(3);
  auto appended = ring.block_on(batch[0].log->append(borrow(records), LeaderEpoch(0)));
  ASSERT_EQ(appended.error, storage::Errc::none);
  (void)ring.block_on(batch[0].log->flush(Offset(INT64_MAX - 1)));
  batch[0].log.reset();  // kill -9: no close, no clean checkpoint
  // The first segment synced partition.metadata (written unsynced at open) before its records.
  Uuid read;
  ASSERT_TRUE(cluster::read_partition_metadata(batch[0].dir, read));
  EXPECT_EQ(read, id);

  std::vector<PartitionOpen> again;
  again.push_back(entry("t-0", id));
  open_partitions(env, log_dir, again, /*background=*/false);
  ASSERT_NE(again[0].log, nullptr) << again[0].error;
  EXPECT_EQ(again[0].log->log_end_offset(), Offset(3));
  close(again);
}

TEST_F(PartitionOpenerTest, ReplacesTheDirectoryOfAnotherIncarnation) {
  const Uuid old_id = Uuid::random();
  std::vector<PartitionOpen> batch;
  batch.push_back(entry("t-0", old_id));
  open_partitions(env, log_dir, batch, /*background=*/false);
  ASSERT_NE(batch[0].log, nullptr) << batch[0].error;
  auto records = make_batch(3);
  auto appended = ring.block_on(batch[0].log->append(borrow(records), LeaderEpoch(0)));
  ASSERT_EQ(appended.error, storage::Errc::none);
  close(batch);  // the topic was deleted, and its directory not removed before a crash

  const Uuid new_id = Uuid::random();
  std::vector<PartitionOpen> recreated;
  recreated.push_back(entry("t-0", new_id));
  open_partitions(env, log_dir, recreated, /*background=*/false);
  ASSERT_NE(recreated[0].log, nullptr) << recreated[0].error;
  EXPECT_EQ(recreated[0].log->log_end_offset(), Offset(0)) << "the old incarnation's records were adopted";
  Uuid read;
  ASSERT_TRUE(cluster::read_partition_metadata(recreated[0].dir, read));
  EXPECT_EQ(read, new_id);
  close(recreated);
}

TEST_F(PartitionOpenerTest, ReportsWhatCouldNotBeOpened) {
  fs::create_directories(fs::path(log_dir).parent_path());
  std::ofstream(log_dir) << "a file where the log directory should be";
  std::vector<PartitionOpen> batch;
  batch.push_back(entry("t-0", Uuid::random()));
  batch.push_back(entry("t-1", Uuid::random()));
  open_partitions(env, log_dir, batch, /*background=*/false);
  for (const PartitionOpen& p : batch) {
    EXPECT_EQ(p.log, nullptr);
    EXPECT_FALSE(p.error.empty());
  }
}

}  // namespace
}  // namespace runnel::server
