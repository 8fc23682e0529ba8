#include <gtest/gtest.h>

#include "operator/resources/config_map.h"
#include "operator/resources/pdb.h"
#include "operator/resources/services.h"
#include "tests/unit/operator_resources/fixture.h"

namespace runnel::resources {
namespace {

using testing::cluster;

void expect_child_metadata(const Json& obj, const std::string& name) {
  EXPECT_EQ(obj["metadata"]["name"], name);
  EXPECT_EQ(obj["metadata"]["namespace"], "kafka");
  const Json& labels = obj["metadata"]["labels"];
  EXPECT_EQ(labels["app.kubernetes.io/name"], "runnel");
  EXPECT_EQ(labels["app.kubernetes.io/instance"], "demo");
  EXPECT_EQ(labels["app.kubernetes.io/component"], "broker");
  EXPECT_EQ(labels["app.kubernetes.io/managed-by"], "runnel-operator");
  ASSERT_EQ(obj["metadata"]["ownerReferences"].size(), 1u);
  const Json& ref = obj["metadata"]["ownerReferences"][0];
  EXPECT_EQ(ref["apiVersion"], "runnel.dev/v1alpha1");
  EXPECT_EQ(ref["kind"], "RunnelCluster");
  EXPECT_EQ(ref["name"], "demo");
  EXPECT_EQ(ref["uid"], "uid-123");
  EXPECT_EQ(ref["controller"], true);
  EXPECT_EQ(ref["blockOwnerDeletion"], true);
}

TEST(Services, Headless) {
  Json svc = build_headless_service(cluster());
  EXPECT_EQ(svc["apiVersion"], "v1");
  EXPECT_EQ(svc["kind"], "Service");
  expect_child_metadata(svc, "demo-brokers");
  EXPECT_EQ(svc["spec"]["clusterIP"], "None");
  EXPECT_EQ(svc["spec"]["publishNotReadyAddresses"], true);
  EXPECT_EQ(svc["spec"]["selector"], selector_labels(cluster()));
  ASSERT_EQ(svc["spec"]["ports"].size(), 2u);
  EXPECT_EQ(svc["spec"]["ports"][0]["name"], "kafka");
  EXPECT_EQ(svc["spec"]["ports"][0]["port"], 9092);
  EXPECT_EQ(svc["spec"]["ports"][1]["name"], "admin");
  EXPECT_EQ(svc["spec"]["ports"][1]["port"], 9644);
}

TEST(Services, Bootstrap) {
  Json svc = build_bootstrap_service(cluster());
  expect_child_metadata(svc, "demo-bootstrap");
  EXPECT_EQ(svc["spec"]["type"], "ClusterIP");
  EXPECT_FALSE(svc["spec"].contains("clusterIP"));
  EXPECT_FALSE(svc["spec"].contains("publishNotReadyAddresses"));
  ASSERT_EQ(svc["spec"]["ports"].size(), 1u);
  EXPECT_EQ(svc["spec"]["ports"][0]["port"], 9092);
  EXPECT_EQ(bootstrap_address(cluster()), "demo-bootstrap.kafka.svc:9092");
}

TEST(Pdb, MaxUnavailableOne) {
  Json pdb = build_pdb(cluster());
  EXPECT_EQ(pdb["apiVersion"], "policy/v1");
  EXPECT_EQ(pdb["kind"], "PodDisruptionBudget");
  expect_child_metadata(pdb, "demo");
  EXPECT_EQ(pdb["spec"]["maxUnavailable"], 1);
  EXPECT_EQ(pdb["spec"]["selector"]["matchLabels"], selector_labels(cluster()));
  EXPECT_FALSE(pdb["spec"].contains("minAvailable"));
}

TEST(ConfigMap, HoldsProperties) {
  Json cm = build_config_map(cluster(), "a=b\n");
  expect_child_metadata(cm, "demo-config");
  EXPECT_EQ(cm["data"]["server.properties"], "a=b\n");
}

TEST(Labels, SelectorString) {
  EXPECT_EQ(selector_string(cluster()),
            "app.kubernetes.io/component=broker,app.kubernetes.io/instance=demo,"
            "app.kubernetes.io/name=runnel");
}

}  // namespace
}  // namespace runnel::resources
