// Cluster errors: the metadata store reports a failed write as cluster::Errc::persist_failed,
// and the handler edge maps every cluster::Errc to Kafka's code (server/cluster_errors.h).
#include "broker/server/cluster_errors.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <string>

#include "broker/cluster/metadata_store.h"

namespace runnel::server {
namespace {

TEST(ClusterErrors, MapToKafkasCodes) {
  EXPECT_EQ(to_kafka(cluster::Errc::persist_failed), ErrorCode::kafka_storage_error);
  EXPECT_EQ(to_kafka(cluster::Errc::no_producer_id_block), ErrorCode::coordinator_load_in_progress);
  EXPECT_EQ(to_kafka(cluster::Errc::invalid_topic), ErrorCode::invalid_topic_exception);
  EXPECT_EQ(to_kafka(cluster::Errc::topic_exists), ErrorCode::topic_already_exists);
  EXPECT_EQ(to_kafka(cluster::Errc::unknown_topic), ErrorCode::unknown_topic_or_partition);
  EXPECT_EQ(to_kafka(cluster::Errc::unknown_topic_id), ErrorCode::unknown_topic_id);
  EXPECT_EQ(to_kafka(cluster::Errc::topic_deletion_disabled), ErrorCode::topic_deletion_disabled);
  EXPECT_EQ(to_kafka(cluster::Errc::invalid_partitions), ErrorCode::invalid_partitions);
  EXPECT_EQ(to_kafka(cluster::Errc::invalid_replication_factor), ErrorCode::invalid_replication_factor);
  EXPECT_EQ(to_kafka(cluster::Errc::invalid_replica_assignment), ErrorCode::invalid_replica_assignment);
  EXPECT_EQ(to_kafka(cluster::Errc::assignment_with_counts), ErrorCode::invalid_request);
  EXPECT_EQ(to_kafka(cluster::Errc::invalid_config), ErrorCode::invalid_config);
}

struct MetadataStoreSave : ::testing::Test {
  io::Ring ring;
  std::string dir;
  cluster::MetadataImage image;

  void SetUp() override {
    char tmpl[] = "/tmp/runnel-cluster-errors-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir = tmpl;
    image.cluster_id = "test-cluster";
  }
  void TearDown() override { std::filesystem::remove_all(dir); }
};

TEST_F(MetadataStoreSave, WritesTheDocument) {
  std::filesystem::create_directories(dir + "/__cluster_metadata");
  cluster::MetadataStore store(dir);
  Result<void, cluster::Errc> saved = ring.block_on(store.save(ring, image, 1000));
  ASSERT_TRUE(saved.has_value());
  EXPECT_TRUE(std::filesystem::exists(dir + "/__cluster_metadata/metadata.json"));
}

// The metadata directory is gone (a removed or unmounted log dir): the write fails as a
// cluster error, which the controller answers as Kafka's KAFKA_STORAGE_ERROR.
TEST_F(MetadataStoreSave, FailedWriteIsPersistFailed) {
  cluster::MetadataStore store(dir + "/missing");
  Result<void, cluster::Errc> saved = ring.block_on(store.save(ring, image, 1000));
  ASSERT_FALSE(saved.has_value());
  EXPECT_EQ(saved.error(), cluster::Errc::persist_failed);
  EXPECT_EQ(to_kafka(saved.error()), ErrorCode::kafka_storage_error);
}

}  // namespace
}  // namespace runnel::server
