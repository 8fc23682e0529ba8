#include "operator/api/runnel_cluster.h"

#include <gtest/gtest.h>

namespace runnel::api {
namespace {

Json full_cluster() {
  return Json::parse(R"({
    "apiVersion": "runnel.dev/v1alpha1", "kind": "RunnelCluster",
    "metadata": {"name": "demo", "namespace": "kafka", "uid": "u-1", "generation": 7,
                 "labels": {"team": "a"}},
    "spec": {"replicas": 5, "image": "runnel:dev", "imagePullPolicy": "Never",
             "storage": {"size": "1Gi", "storageClassName": "fast"},
             "resources": {"requests": {"cpu": "500m"}},
             "config": {"log.retention.ms": "1000"},
             "template": {"pod": {"annotations": {"a": "b"}, "labels": {"l": "v"},
                                  "nodeSelector": {"disk": "ssd"},
                                  "tolerations": [{"key": "k", "operator": "Exists"}],
                                  "affinity": {"nodeAffinity": {}},
                                  "priorityClassName": "high"}},
             "terminationGracePeriodSeconds": 120},
    "status": {"observedGeneration": 6, "readyBrokers": 2,
               "conditions": [{"type": "Ready", "status": "False", "reason": "X", "message": "m",
                               "lastTransitionTime": "2026-01-01T00:00:00Z"}],
               "brokers": [{"id": 0, "pod": "demo-0", "ready": true, "address": "10.0.0.1:9092"}],
               "rollingRestart": {"inProgress": true, "pending": 2, "total": 5, "currentPod": "demo-4"}}
  })");
}

TEST(RunnelCluster, ParsesEveryField) {
  auto parsed = parse_cluster(full_cluster());
  ASSERT_TRUE(parsed.has_value()) << parsed.error();
  const RunnelCluster& c = *parsed;
  EXPECT_EQ(c.metadata.name, "demo");
  EXPECT_EQ(c.metadata.ns, "kafka");
  EXPECT_EQ(c.metadata.uid, "u-1");
  EXPECT_EQ(c.metadata.generation, 7);
  EXPECT_EQ(c.spec.replicas, 5);
  EXPECT_EQ(c.spec.image, "runnel:dev");
  EXPECT_EQ(c.spec.image_pull_policy, "Never");
  EXPECT_EQ(c.spec.storage.size, "1Gi");
  EXPECT_EQ(c.spec.storage.storage_class_name.value(), "fast");
  EXPECT_EQ(c.spec.resources["requests"]["cpu"], "500m");
  EXPECT_EQ(c.spec.config.at("log.retention.ms"), "1000");
  EXPECT_EQ(c.spec.pod.annotations.at("a"), "b");
  EXPECT_EQ(c.spec.pod.node_selector.at("disk"), "ssd");
  EXPECT_EQ(c.spec.pod.tolerations.size(), 1u);
  EXPECT_TRUE(c.spec.pod.affinity.is_object());
  EXPECT_EQ(c.spec.pod.priority_class_name, "high");
  EXPECT_EQ(c.spec.termination_grace_period_seconds, 120);
  EXPECT_EQ(c.status.observed_generation, 6);
  EXPECT_EQ(c.status.brokers.at(0).address, "10.0.0.1:9092");
  EXPECT_TRUE(c.status.rolling_restart.in_progress);
  EXPECT_EQ(c.status.rolling_restart.current_pod, "demo-4");
  EXPECT_EQ(find_condition(c.status.conditions, kReady)->reason, "X");
}

TEST(RunnelCluster, DefaultsMatchTheCrd) {
  auto parsed = parse_cluster(Json::parse(R"({"metadata": {"name": "x"}, "spec": {}})"));
  ASSERT_TRUE(parsed.has_value());
  const RunnelClusterSpec& s = parsed->spec;
  EXPECT_EQ(s.replicas, 3);
  EXPECT_EQ(s.image, kDefaultImage);
  EXPECT_EQ(s.storage.size, "10Gi");
  EXPECT_FALSE(s.storage.storage_class_name.has_value());
  EXPECT_EQ(s.termination_grace_period_seconds, 60);
  EXPECT_TRUE(s.pod.tolerations.is_null());
}

TEST(RunnelCluster, RejectsBadInput) {
  EXPECT_FALSE(parse_cluster(Json::parse(R"({"spec": {"replicas": 0}})")).has_value());
  EXPECT_FALSE(parse_cluster(Json::parse(R"({"spec": {"replicas": "three"}})")).has_value());
  EXPECT_FALSE(parse_cluster(Json::parse(R"({"spec": {"config": {"a": 1}}})")).has_value());
  EXPECT_FALSE(parse_cluster(Json::array()).has_value());
}

TEST(RunnelCluster, SpecAndStatusRoundTrip) {
  RunnelCluster c = parse_cluster(full_cluster()).value();
  Json j = to_json(c);
  EXPECT_EQ(j["apiVersion"], "runnel.dev/v1alpha1");
  EXPECT_EQ(j["kind"], "RunnelCluster");
  RunnelCluster back = parse_cluster(j).value();
  EXPECT_EQ(to_json(back.spec), to_json(c.spec));
  EXPECT_EQ(to_json(back.status), to_json(c.status));
  EXPECT_EQ(back.status.brokers, c.status.brokers);
}

}  // namespace
}  // namespace runnel::api
