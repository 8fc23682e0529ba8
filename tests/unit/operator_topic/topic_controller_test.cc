// Create / partitions / configs / status / error branches of TopicController::reconcile.
#include "tests/unit/operator_topic/topic_test_fixture.h"

namespace runnel::controllers::testing {
namespace {

using namespace std::chrono_literals;

TEST_F(TopicControllerTest, NoResourceTouchesNothing) {
  brokers.add_topic("orders", 3);  // a topic no RunnelTopic owns
  auto r = run();
  EXPECT_FALSE(r.error);
  EXPECT_EQ(r.requeue_after, 0ms);
  EXPECT_TRUE(api.calls.empty());
  EXPECT_TRUE(brokers.calls.empty());
  EXPECT_EQ(brokers.topics.at("orders").partitions, 3);
}

TEST_F(TopicControllerTest, FinalizerIsAddedBeforeTheTopicIsCreated) {
  topics.put(topic_object("orders", "demo", 3));
  bool had_finalizer_at_connect = false;
  auto inner = fake_admin_factory(brokers);
  TopicController c(api, topics, clusters,
                    [&](const Json& cluster) {
                      had_finalizer_at_connect = !finalizers().empty();
                      return inner(cluster);
                    },
                    events);
  auto r = c.reconcile({"ns", "orders"});
  EXPECT_FALSE(r.error) << r.error_message;
  ASSERT_FALSE(api.calls.empty());
  EXPECT_EQ(api.calls[0].verb, "merge_patch");
  EXPECT_EQ(api.calls[0].body["metadata"]["finalizers"], Json::array({kTopicFinalizer}));
  EXPECT_EQ(api.calls[0].body["metadata"]["resourceVersion"], "1");
  EXPECT_TRUE(had_finalizer_at_connect);
  EXPECT_TRUE(brokers.called("create_topic orders 3"));
}

TEST_F(TopicControllerTest, FinalizerPatchFailureCreatesNothing) {
  topics.put(topic_object("orders", "demo", 3));
  api.fail_next_patch_with = 409;
  auto r = run();
  EXPECT_TRUE(r.error);
  EXPECT_TRUE(brokers.calls.empty());
  EXPECT_TRUE(brokers.topics.empty());
}

TEST_F(TopicControllerTest, CreatesTopicAndReportsStatus) {
  topics.put(topic_object("orders", "demo", 3, {{"retention.ms", "1000"}}));
  auto r = run();
  EXPECT_FALSE(r.error) << r.error_message;
  EXPECT_EQ(r.requeue_after, 60s);  // periodic drift correction
  ASSERT_EQ(brokers.topics.count("orders"), 1u);
  EXPECT_EQ(brokers.topics["orders"].partitions, 3);
  EXPECT_EQ(brokers.topics["orders"].overrides.at("retention.ms"), "1000");
  EXPECT_FALSE(brokers.called("alter"));  // configs went in with CreateTopics
  EXPECT_TRUE(events.has("Created"));

  const Json& status = stored()["status"];
  EXPECT_EQ(status["observedGeneration"], 1);
  EXPECT_EQ(status["partitions"], 3);
  EXPECT_EQ(status["topicId"], brokers.topics["orders"].id.to_base64());
  EXPECT_EQ(status["config"], Json({{"retention.ms", "1000"}}));
  EXPECT_EQ(ready()["status"], "True");
  EXPECT_EQ(managed_keys(), "retention.ms");
  ASSERT_EQ(api.calls_of("apply_status").size(), 1u);
  EXPECT_EQ(api.calls_of("apply_status")[0].body["kind"], "RunnelTopic");
}

TEST_F(TopicControllerTest, SpecTopicNameOverridesMetadataName) {
  Json obj = topic_object("orders", "demo", 1);
  obj["spec"]["topicName"] = "Orders_V1";
  topics.put(obj);
  EXPECT_FALSE(run().error);
  EXPECT_EQ(brokers.topics.count("Orders_V1"), 1u);
  EXPECT_EQ(brokers.topics.count("orders"), 0u);
}

TEST_F(TopicControllerTest, SecondPassIsQuiet) {
  topics.put(topic_object("orders", "demo", 3, {{"retention.ms", "1000"}}));
  ASSERT_FALSE(run().error);
  const size_t api_calls = api.calls.size();
  const size_t events_before = events.events().size();
  brokers.calls.clear();
  auto r = run();
  EXPECT_FALSE(r.error);
  EXPECT_EQ(api.calls.size(), api_calls);  // no patch, no status write: nothing changed
  EXPECT_FALSE(brokers.called("create"));
  EXPECT_FALSE(brokers.called("alter"));
  EXPECT_EQ(events.events().size(), events_before);
}

TEST_F(TopicControllerTest, IncreasesPartitions) {
  brokers.add_topic("orders", 2);
  topics.put(topic_object("orders", "demo", 5));
  EXPECT_FALSE(run().error);
  EXPECT_TRUE(brokers.called("create_partitions orders 5"));
  EXPECT_EQ(brokers.topics["orders"].partitions, 5);
  EXPECT_EQ(stored()["status"]["partitions"], 5);
  EXPECT_TRUE(events.has("PartitionsIncreased"));
  EXPECT_EQ(ready()["status"], "True");
}

TEST_F(TopicControllerTest, PartitionDecreaseIsRefusedAndTopicLeftAlone) {
  brokers.add_topic("orders", 4);
  topics.put(topic_object("orders", "demo", 2, {{"retention.ms", "1000"}}));
  auto r = run();
  EXPECT_FALSE(r.error);
  EXPECT_EQ(r.requeue_after, 60s);
  EXPECT_FALSE(brokers.called("create_partitions"));
  EXPECT_EQ(brokers.topics["orders"].partitions, 4);
  EXPECT_EQ(ready()["status"], "False");
  EXPECT_EQ(ready()["reason"], "PartitionDecreaseNotSupported");
  EXPECT_NE(ready()["message"].get<std::string>().find("cannot remove partitions"), std::string::npos);
  EXPECT_EQ(stored()["status"]["partitions"], 4);
  // Configs are still reconciled: the refusal concerns partitions only.
  EXPECT_EQ(brokers.topics["orders"].overrides.at("retention.ms"), "1000");
  EXPECT_TRUE(events.has("PartitionDecreaseNotSupported"));
}

TEST_F(TopicControllerTest, ConfigChangesTouchOnlyManagedKeys) {
  brokers.add_topic("orders", 1, {{"retention.ms", "5"}, {"segment.bytes", "999"}});  // segment.bytes: someone else's
  topics.put(topic_object("orders", "demo", 1, {{"retention.ms", "1000"}, {"cleanup.policy", "delete"}}));
  EXPECT_FALSE(run().error);
  EXPECT_TRUE(brokers.called("alter orders cleanup.policy=delete retention.ms=1000"));
  EXPECT_EQ(brokers.topics["orders"].overrides.at("segment.bytes"), "999");
  EXPECT_EQ(managed_keys(), "cleanup.policy,retention.ms");
  EXPECT_TRUE(events.has("ConfigUpdated"));
  EXPECT_EQ(stored()["status"]["config"], Json({{"cleanup.policy", "delete"}, {"retention.ms", "1000"}}));

  // Dropping retention.ms from the spec deletes it; segment.bytes was never ours and stays.
  set_spec("config", {{"cleanup.policy", "delete"}});
  brokers.calls.clear();
  EXPECT_FALSE(run().error);
  EXPECT_TRUE(brokers.called("alter orders -retention.ms"));
  EXPECT_EQ(brokers.topics["orders"].overrides.count("retention.ms"), 0u);
  EXPECT_EQ(brokers.topics["orders"].overrides.at("segment.bytes"), "999");
  EXPECT_EQ(managed_keys(), "cleanup.policy");
  EXPECT_EQ(stored()["status"]["observedGeneration"], 2);

  // An empty spec.config releases every key and removes the annotation.
  set_spec("config", Json::object());
  EXPECT_FALSE(run().error);
  EXPECT_TRUE(brokers.topics["orders"].overrides.count("cleanup.policy") == 0);
  EXPECT_EQ(managed_keys(), "<none>");
}

TEST_F(TopicControllerTest, FailedConfigChangeKeepsRemovedKeysManaged) {
  brokers.add_topic("orders", 1, {{"retention.ms", "5"}});
  Json obj = topic_object("orders", "demo", 1, {{"cleanup.policy", "bogus"}});
  obj["metadata"]["annotations"] = {{kManagedConfigKeysAnnotation, "retention.ms"}};
  topics.put(obj);
  brokers.fail_alter = AdminError::kafka(ErrorCode::invalid_config, "Invalid value bogus for cleanup.policy");
  auto r = run();
  EXPECT_FALSE(r.error);
  EXPECT_EQ(ready()["reason"], "ConfigFailed");
  EXPECT_NE(ready()["message"].get<std::string>().find("bogus"), std::string::npos);
  // retention.ms is still to be deleted later, so it must stay remembered.
  EXPECT_EQ(managed_keys(), "cleanup.policy,retention.ms");
}

TEST_F(TopicControllerTest, DriftIsCorrected) {
  topics.put(topic_object("orders", "demo", 3, {{"retention.ms", "1000"}}));
  ASSERT_FALSE(run().error);
  brokers.topics["orders"].overrides["retention.ms"] = "1";  // changed behind our back
  EXPECT_FALSE(run().error);
  EXPECT_EQ(brokers.topics["orders"].overrides.at("retention.ms"), "1000");
  brokers.topics.erase("orders");  // deleted behind our back
  EXPECT_FALSE(run().error);
  ASSERT_EQ(brokers.topics.count("orders"), 1u);
  EXPECT_EQ(brokers.topics["orders"].partitions, 3);
  EXPECT_EQ(stored()["status"]["topicId"], brokers.topics["orders"].id.to_base64());
}

TEST_F(TopicControllerTest, MissingClusterIsReportedAndRetried) {
  topics.put(topic_object("orders", "nowhere", 3));
  auto r = run();
  EXPECT_FALSE(r.error);
  EXPECT_EQ(r.requeue_after, 30s);
  EXPECT_EQ(ready()["status"], "False");
  EXPECT_EQ(ready()["reason"], "ClusterNotFound");
  EXPECT_FALSE(brokers.called("connect"));
  EXPECT_TRUE(events.has("ClusterNotFound"));
}

TEST_F(TopicControllerTest, UnreachableBrokersBackOff) {
  topics.put(topic_object("orders", "demo", 3));
  brokers.reachable = false;
  auto r = run();
  EXPECT_TRUE(r.error);  // the work queue's per-key exponential backoff applies
  EXPECT_EQ(ready()["status"], "False");
  EXPECT_EQ(ready()["reason"], "BrokerUnreachable");
  EXPECT_NE(ready()["message"].get<std::string>().find("Connection refused"), std::string::npos);
  EXPECT_TRUE(events.has("BrokerUnreachable"));
  EXPECT_TRUE(brokers.topics.empty());
}

TEST_F(TopicControllerTest, CreateRefusedByBrokersIsReported) {
  topics.put(topic_object("orders", "demo", 3));
  brokers.fail_create = AdminError::kafka(ErrorCode::invalid_config, "retention.ms: not a number");
  auto r = run();
  EXPECT_FALSE(r.error);
  EXPECT_EQ(r.requeue_after, 60s);
  EXPECT_EQ(ready()["reason"], "CreateFailed");
  EXPECT_NE(ready()["message"].get<std::string>().find("INVALID_CONFIG"), std::string::npos);
  EXPECT_TRUE(events.has("CreateFailed"));
}

TEST_F(TopicControllerTest, TooFewBrokersYetIsRetriedWithBackoff) {
  // A starting cluster whose brokers have not all registered refuses the replication factor.
  topics.put(topic_object("orders", "demo", 3));
  brokers.fail_create = AdminError::kafka(ErrorCode::invalid_replication_factor, "Replication factor: 1 larger than available brokers: 0.");
  auto r = run();
  EXPECT_TRUE(r.error);
  EXPECT_EQ(ready()["reason"], "CreateFailed");
  EXPECT_NE(ready()["message"].get<std::string>().find("INVALID_REPLICATION_FACTOR"), std::string::npos);
}

TEST_F(TopicControllerTest, InvalidSpecIsReportedWithoutBrokerCalls) {
  topics.put(topic_object("orders", "demo", 0));
  auto r = run();
  EXPECT_FALSE(r.error);
  EXPECT_EQ(ready()["reason"], "InvalidSpec");
  EXPECT_TRUE(events.has("InvalidSpec"));
  EXPECT_TRUE(brokers.calls.empty());
}

TEST_F(TopicControllerTest, ClusterMapsToItsTopicsOnly) {
  topics.put(topic_object("a", "demo", 1));
  topics.put(topic_object("b", "other", 1));
  Json elsewhere = topic_object("c", "demo", 1);
  elsewhere["metadata"]["namespace"] = "ns2";
  topics.put(elsewhere);
  auto keys = controller.map_secondary(kube::types::kRunnelCluster, cluster_object("demo"));
  ASSERT_EQ(keys.size(), 1u);
  EXPECT_EQ(keys[0], (kube::ObjectKey{"ns", "a"}));
  ASSERT_EQ(controller.watches().size(), 1u);
  EXPECT_EQ(controller.watches()[0], kube::types::kRunnelCluster);
}

}  // namespace
}  // namespace runnel::controllers::testing
