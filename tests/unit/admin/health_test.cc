#include <gtest/gtest.h>

#include "broker/admin/health.h"

namespace runnel::admin {
namespace {

constexpr int64_t kSec = 1'000'000'000;

TEST(Liveness, RecoveringShardsDoNotCountServingOnesMustBeat) {
  metrics::BrokerProbe probe;
  probe.init(2);
  // Nobody serves yet (recovery blocks the rings): alive.
  EXPECT_TRUE(liveness(probe, 100 * kSec, 5 * kSec).ok);
  probe.shard(0).beat(100 * kSec);
  probe.mark_shard_serving(0);
  probe.shard(1).beat(100 * kSec);
  probe.mark_shard_serving(1);
  EXPECT_TRUE(liveness(probe, 104 * kSec, 5 * kSec).ok);
  probe.shard(0).beat(104 * kSec);
  HealthResult r = liveness(probe, 106 * kSec, 5 * kSec);  // shard 1 silent for 6 s
  EXPECT_FALSE(r.ok);
  EXPECT_NE(r.detail.find("shard 1"), std::string::npos) << r.detail;
  EXPECT_EQ(r.detail.find("shard 0"), std::string::npos) << r.detail;
  probe.mark_stopping();  // loops end on purpose during shutdown
  EXPECT_TRUE(liveness(probe, 200 * kSec, 5 * kSec).ok);
}

TEST(Readiness, OnlyAfterMetadataRecoveryAndListeners) {
  metrics::BrokerProbe probe;
  probe.init(1);
  EXPECT_FALSE(readiness(probe).ok);
  probe.mark_metadata_loaded("cid");
  HealthResult r = readiness(probe);
  EXPECT_FALSE(r.ok);
  EXPECT_NE(r.detail.find("recovering"), std::string::npos);
  probe.mark_ready();
  EXPECT_TRUE(readiness(probe).ok);
  probe.mark_stopping();
  EXPECT_FALSE(readiness(probe).ok);
}

TEST(Readiness, FailsWhenEveryLogDirectoryFailed) {
  metrics::BrokerProbe probe;
  probe.init(1);
  probe.mark_metadata_loaded("cid");
  probe.mark_ready();
  const std::vector<std::string> dirs{"/data/a", "/data/b"};
  metrics::PartitionStats full;
  full.topic = "t";
  full.out_of_space = true;  // ENOSPC: retrying, not a failed directory
  probe.shard(0).publish({full}, 1);
  EXPECT_TRUE(readiness(probe, dirs).ok);
  EXPECT_TRUE(failed_log_dirs(probe, dirs).empty());
  metrics::PartitionStats broken = full;
  broken.partition = 1;
  broken.failed = true;  // EIO: the directory holding the partitions has failed
  probe.shard(0).publish({full, broken}, 2);
  EXPECT_EQ(failed_log_dirs(probe, dirs), std::vector<std::string>{"/data/a"});
  HealthResult r = readiness(probe, dirs);
  EXPECT_FALSE(r.ok);
  EXPECT_NE(r.detail.find("log directory"), std::string::npos) << r.detail;
}

}  // namespace
}  // namespace runnel::admin
