// Deletion branches of TopicController: with and without the cluster, failures keep the finalizer.
#include "tests/unit/operator_topic/topic_test_fixture.h"

namespace runnel::controllers::testing {
namespace {

TEST_F(TopicControllerTest, DeletesTopicThenReleasesFinalizer) {
  brokers.add_topic("orders", 3);
  topics.put(topic_object("orders", "demo", 3, Json::object(), {kTopicFinalizer}));
  mark_deleting();
  auto r = run();
  EXPECT_FALSE(r.error) << r.error_message;
  EXPECT_TRUE(brokers.called("delete_topics orders"));
  EXPECT_TRUE(brokers.topics.empty());
  EXPECT_TRUE(events.has("Deleted"));
  ASSERT_EQ(api.calls_of("merge_patch").size(), 1u);
  EXPECT_EQ(api.calls_of("merge_patch")[0].body["metadata"]["finalizers"], Json::array());
  EXPECT_TRUE(stored().is_null());  // the fake API server finished the deletion
}

TEST_F(TopicControllerTest, FailedDeleteKeepsFinalizer) {
  brokers.add_topic("orders", 3);
  topics.put(topic_object("orders", "demo", 3, Json::object(), {kTopicFinalizer}));
  mark_deleting();
  brokers.fail_delete = AdminError::kafka(ErrorCode::topic_deletion_disabled, "delete.topic.enable is false");
  auto r = run();
  EXPECT_TRUE(r.error);
  EXPECT_NE(r.error_message.find("TOPIC_DELETION_DISABLED"), std::string::npos);
  EXPECT_TRUE(api.calls_of("merge_patch").empty());
  EXPECT_EQ(finalizers(), std::vector<std::string>{kTopicFinalizer});
  EXPECT_TRUE(events.has("DeleteFailed"));
}

TEST_F(TopicControllerTest, UnreachableBrokersKeepFinalizerWhileClusterExists) {
  topics.put(topic_object("orders", "demo", 3, Json::object(), {kTopicFinalizer}));
  mark_deleting();
  brokers.reachable = false;
  auto r = run();
  EXPECT_TRUE(r.error);
  EXPECT_EQ(finalizers(), std::vector<std::string>{kTopicFinalizer});
}

TEST_F(TopicControllerTest, TopicAlreadyGoneInBrokersReleasesFinalizer) {
  topics.put(topic_object("orders", "demo", 3, Json::object(), {kTopicFinalizer}));
  mark_deleting();
  EXPECT_FALSE(run().error);
  EXPECT_TRUE(brokers.called("delete_topics orders"));
  EXPECT_TRUE(stored().is_null());
}

TEST_F(TopicControllerTest, MissingClusterReleasesFinalizerWithoutBrokerCalls) {
  topics.put(topic_object("orders", "gone", 3, Json::object(), {kTopicFinalizer}));
  mark_deleting();
  EXPECT_FALSE(run().error);
  EXPECT_TRUE(brokers.calls.empty());
  EXPECT_TRUE(stored().is_null());
  EXPECT_TRUE(events.has("FinalizerReleased"));
}

TEST_F(TopicControllerTest, ClusterBeingDeletedReleasesFinalizer) {
  Json cluster = cluster_object("demo", {{"10.0.0.1:9092", true}});
  cluster["metadata"]["deletionTimestamp"] = "2026-11-25T11:00:00Z";
  clusters.put(cluster);
  brokers.add_topic("orders", 3);
  topics.put(topic_object("orders", "demo", 3, Json::object(), {kTopicFinalizer}));
  mark_deleting();
  EXPECT_FALSE(run().error);
  EXPECT_TRUE(brokers.calls.empty());
  EXPECT_TRUE(stored().is_null());
}

TEST_F(TopicControllerTest, OtherFinalizersSurvive) {
  topics.put(topic_object("orders", "demo", 3, Json::object(), {"example.com/keep", kTopicFinalizer}));
  mark_deleting();
  EXPECT_FALSE(run().error);
  EXPECT_EQ(finalizers(), std::vector<std::string>{"example.com/keep"});
}

TEST_F(TopicControllerTest, DeletionWithoutOurFinalizerDoesNothing) {
  brokers.add_topic("orders", 3);
  topics.put(topic_object("orders", "demo", 3, Json::object(), {"example.com/keep"}));
  mark_deleting();
  EXPECT_FALSE(run().error);
  EXPECT_TRUE(brokers.calls.empty());
  EXPECT_TRUE(api.calls.empty());
  EXPECT_EQ(brokers.topics.count("orders"), 1u);
}

TEST_F(TopicControllerTest, FinalizerConflictIsRetried) {
  topics.put(topic_object("orders", "gone", 3, Json::object(), {kTopicFinalizer}));
  mark_deleting();
  api.fail_next_patch_with = 409;
  EXPECT_TRUE(run().error);
  EXPECT_FALSE(stored().is_null());
  EXPECT_FALSE(run().error);
  EXPECT_TRUE(stored().is_null());
}

}  // namespace
}  // namespace runnel::controllers::testing
