#include <gtest/gtest.h>

#include "operator/controllers/cluster_pods.h"
#include "tests/unit/operator_cluster/fixture.h"

namespace runnel::controllers::cluster_testing {
namespace {

TEST(BrokerPod, ReadsPodJson) {
  BrokerPod p = broker_pod(pod_json({.ordinal = 4, .ready = false, .hash = "h1",
                                     .waiting_reason = "ImagePullBackOff"}));
  EXPECT_EQ(p.name, "demo-4");
  EXPECT_EQ(p.ordinal, 4);
  EXPECT_FALSE(p.ready);
  EXPECT_EQ(p.ip, "10.0.0.5");
  EXPECT_EQ(p.config_hash, "h1");
  EXPECT_EQ(p.revision, "demo-rev1");
  EXPECT_EQ(p.failing_reason, "ImagePullBackOff");
  ASSERT_TRUE(p.not_ready_since.has_value());
  EXPECT_EQ(api::format_time(*p.not_ready_since), "2026-11-25T11:59:00Z");
}

TEST(BrokerPod, OrdinalFromNameWithoutIndexLabel) {
  Json pod = pod_json({.ordinal = 7});
  pod["metadata"]["labels"].erase("apps.kubernetes.io/pod-index");
  EXPECT_EQ(broker_pod(pod).ordinal, 7);
  EXPECT_EQ(broker_pod(Json::object()).ordinal, -1);
}

TEST(ClusterPods, SelectsByLabelsAndSorts) {
  MapStore store;
  store.put(pod_json({.ordinal = 2}));
  store.put(pod_json({.ordinal = 0}));
  Json other = pod_json({.ordinal = 1});
  other["metadata"]["labels"]["app.kubernetes.io/instance"] = "other";
  other["metadata"]["name"] = "other-1";
  store.put(other);
  api::RunnelCluster c = api::parse_cluster(cluster_json()).value();
  auto found = cluster_pods(store, c);
  ASSERT_EQ(found.size(), 2u);
  EXPECT_EQ(found[0].name, "demo-0");
  EXPECT_EQ(found[1].name, "demo-2");
}

TEST_F(ClusterControllerTest, MapsPodsByInstanceLabel) {
  auto keys = controller().map_secondary(kube::types::kPod, pod_json({.ordinal = 1}));
  ASSERT_EQ(keys.size(), 1u);
  EXPECT_EQ(keys[0], (kube::ObjectKey{"kafka", "demo"}));
  Json foreign = pod_json({.ordinal = 1});
  foreign["metadata"]["labels"]["app.kubernetes.io/name"] = "postgres";
  EXPECT_TRUE(controller().map_secondary(kube::types::kPod, foreign).empty());
}

TEST_F(ClusterControllerTest, MapsOwnedObjectsByOwnerReference) {
  Json sts = resources::build_children(api::parse_cluster(cluster_json()).value()).objects[3].object;
  auto keys = controller().map_secondary(kube::types::kStatefulSet, sts);
  ASSERT_EQ(keys.size(), 1u);
  EXPECT_EQ(keys[0], (kube::ObjectKey{"kafka", "demo"}));
}

TEST_F(ClusterControllerTest, Identity) {
  EXPECT_EQ(controller().name(), "runnelcluster");
  EXPECT_EQ(controller().primary(), kube::types::kRunnelCluster);
  auto w = controller().watches();
  EXPECT_EQ(w.size(), 4u);
  EXPECT_NE(std::find(w.begin(), w.end(), kube::types::kPod), w.end());
}

}  // namespace
}  // namespace runnel::controllers::cluster_testing
