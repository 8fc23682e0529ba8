#include "operator/kube/event_recorder.h"

#include <gtest/gtest.h>

#include "operator/kube/http_api.h"
#include "tests/unit/operator_fakes/fake_apiserver.h"
#include "tests/unit/operator_fakes/fake_event_recorder.h"

namespace runnel::kube {
namespace {

const Json kCluster = {{"apiVersion", "runnel.dev/v1alpha1"},
                       {"kind", "RunnelCluster"},
                       {"metadata",
                        {{"namespace", "ns"}, {"name", "c"}, {"uid", "u-1"},
                         {"resourceVersion", "7"}}}};

TEST(ApiEventRecorder, CreatesAnEventThenCountsRepeats) {
  operator_fakes::FakeApiServer server;
  auto api = HttpApi::create(server.config(), {}).value();
  ApiEventRecorder rec(*api);
  rec.record(kCluster, EventType::kWarning, "ScaleDownBlocked", "broker 2 holds replicas");
  rec.record(kCluster, EventType::kWarning, "ScaleDownBlocked", "broker 2 holds replicas");
  rec.record(kCluster, EventType::kNormal, "Ready", "all brokers ready");

  Result list = api->list(types::kEvent, "ns", {});
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list.body["items"].size(), 2u);
  const Json* warn = nullptr;
  for (const Json& e : list.body["items"])
    if (e["reason"] == "ScaleDownBlocked") warn = &e;
  ASSERT_TRUE(warn);
  EXPECT_EQ((*warn)["count"], 2);
  EXPECT_EQ((*warn)["type"], "Warning");
  EXPECT_EQ((*warn)["source"]["component"], "runnel-operator");
  EXPECT_EQ((*warn)["involvedObject"]["kind"], "RunnelCluster");
  EXPECT_EQ((*warn)["involvedObject"]["uid"], "u-1");
  EXPECT_EQ((*warn)["involvedObject"]["namespace"], "ns");
  EXPECT_EQ((*warn)["firstTimestamp"].get<std::string>().size(), 20u);
  EXPECT_FALSE((*warn)["lastTimestamp"].get<std::string>().empty());
  EXPECT_EQ((*warn)["metadata"]["name"].get<std::string>().rfind("c.", 0), 0u);
}

TEST(ApiEventRecorder, ExpiredEventIsRecreated) {
  operator_fakes::FakeApiServer server;
  auto api = HttpApi::create(server.config(), {}).value();
  ApiEventRecorder rec(*api);
  rec.record(kCluster, EventType::kNormal, "Ready", "ok");
  Result list = api->list(types::kEvent, "ns", {});
  server.erase("events", "ns", list.body["items"][0]["metadata"]["name"]);  // TTL expiry
  rec.record(kCluster, EventType::kNormal, "Ready", "ok");
  list = api->list(types::kEvent, "ns", {});
  ASSERT_EQ(list.body["items"].size(), 1u);
  EXPECT_EQ(list.body["items"][0]["count"], 1);
}

TEST(FakeEventRecorder, Remembers) {
  operator_fakes::FakeEventRecorder rec;
  rec.record(kCluster, EventType::kNormal, "Created", "StatefulSet c");
  ASSERT_EQ(rec.events().size(), 1u);
  EXPECT_EQ(rec.events()[0].name, "c");
  EXPECT_EQ(rec.events()[0].kind, "RunnelCluster");
  EXPECT_TRUE(rec.has("Created"));
  EXPECT_FALSE(rec.has("Deleted"));
}

}  // namespace
}  // namespace runnel::kube
