// TopicController with the real admin client (make_admin_factory) against a real runnel-broker:
// the whole path from a RunnelTopic to a topic in the broker and back out.
#include <algorithm>

#include "tests/unit/operator_admin/broker_process.h"
#include "tests/unit/operator_topic/topic_test_fixture.h"

namespace runnel::controllers::testing {
namespace {

using namespace std::chrono_literals;

TEST(TopicControllerRealBroker, CreateGrowReconfigureDelete) {
  operator_admin::testing::BrokerProcess broker(RUNNEL_BROKER_BIN);
  ASSERT_TRUE(broker.start()) << broker.error();
  MapStore topics, clusters;
  RecordingApi api(&topics);
  operator_fakes::FakeEventRecorder events;
  clusters.put(cluster_object("demo", {{broker.bootstrap(), true}}));
  TopicController controller(api, topics, clusters, make_admin_factory(3s), events);
  topics.put(topic_object("orders", "demo", 2, {{"retention.ms", "3600000"}, {"cleanup.policy", "delete"}}));

  auto r = controller.reconcile({"ns", "orders"});
  ASSERT_FALSE(r.error) << r.error_message;
  Json* obj = topics.find("ns", "orders");
  ASSERT_NE(obj, nullptr);
  EXPECT_EQ((*obj)["status"]["partitions"], 2);
  EXPECT_EQ((*obj)["status"]["config"]["retention.ms"], "3600000");
  EXPECT_FALSE((*obj)["status"].value("topicId", "").empty());

  // Check with an independent client.
  auto admin = operator_admin::connect({broker.bootstrap()}, 3s);
  ASSERT_TRUE(admin.ok()) << admin.error().describe();
  auto described = admin.value()->describe_topics({"orders"});
  ASSERT_TRUE(described.ok());
  EXPECT_EQ(described.value()[0].partitions, 2);
  EXPECT_EQ(described.value()[0].topic_id.to_base64(), (*obj)["status"]["topicId"]);

  (*obj)["spec"]["partitions"] = 4;
  (*obj)["spec"]["config"] = {{"cleanup.policy", "delete"}};
  (*obj)["metadata"]["generation"] = 2;
  r = controller.reconcile({"ns", "orders"});
  ASSERT_FALSE(r.error) << r.error_message;
  EXPECT_EQ(admin.value()->describe_topics({"orders"}).value()[0].partitions, 4);
  auto configs = admin.value()->describe_configs("orders");
  ASSERT_TRUE(configs.ok());
  auto retention = std::find_if(configs.value().begin(), configs.value().end(),
                                [](const auto& e) { return e.name == "retention.ms"; });
  ASSERT_NE(retention, configs.value().end());
  EXPECT_FALSE(retention->is_topic_override());

  (*obj)["metadata"]["deletionTimestamp"] = "2026-11-25T11:00:00Z";
  r = controller.reconcile({"ns", "orders"});
  ASSERT_FALSE(r.error) << r.error_message;
  EXPECT_EQ(topics.find("ns", "orders"), nullptr);
  EXPECT_EQ(admin.value()->describe_topics({"orders"}).value()[0].error, ErrorCode::unknown_topic_or_partition);

  // With the broker gone, a new topic reports BrokerUnreachable quickly instead of hanging.
  broker.stop();
  topics.put(topic_object("late", "demo", 1));
  const auto start = std::chrono::steady_clock::now();
  r = controller.reconcile({"ns", "late"});
  EXPECT_TRUE(r.error);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
  EXPECT_EQ((*topics.find("ns", "late"))["status"]["conditions"][0]["reason"], "BrokerUnreachable");
}

}  // namespace
}  // namespace runnel::controllers::testing
