#include <gtest/gtest.h>

#include "tests/unit/operator_cluster/fixture.h"

namespace runnel::controllers::cluster_testing {
namespace {

using std::chrono::seconds;

TEST_F(ClusterControllerTest, MissingClusterIsDone) {
  kube::ReconcileResult r = reconcile();
  EXPECT_FALSE(r.error);
  EXPECT_EQ(r.requeue_after.count(), 0);
  EXPECT_TRUE(api.calls.empty());
}

TEST_F(ClusterControllerTest, DeletingClusterTouchesNothing) {
  Json c = cluster_json();
  c["metadata"]["deletionTimestamp"] = "2026-11-25T11:00:00Z";
  clusters.put(c);
  EXPECT_FALSE(reconcile().error);
  EXPECT_TRUE(api.calls.empty());
}

TEST_F(ClusterControllerTest, AppliesChildrenInOrderWithOwnerReferences) {
  clusters.put(cluster_json());
  reconcile();
  auto applies = api.calls_of("apply");
  ASSERT_EQ(applies.size(), 5u);
  std::vector<std::string> got;
  for (const auto& a : applies) {
    got.push_back(a.kind + "/" + a.name);
    const Json& ref = a.body["metadata"]["ownerReferences"][0];
    EXPECT_EQ(ref["kind"], "RunnelCluster");
    EXPECT_EQ(ref["uid"], "uid-1");
    EXPECT_EQ(ref["controller"], true);
    EXPECT_EQ(a.ns, "kafka");
  }
  EXPECT_EQ(got, (std::vector<std::string>{"ConfigMap/demo-config", "Service/demo-brokers",
                                           "Service/demo-bootstrap", "StatefulSet/demo",
                                           "PodDisruptionBudget/demo"}));
}

TEST_F(ClusterControllerTest, StatusFromReadyPods) {
  healthy_cluster(3);
  kube::ReconcileResult r = reconcile();
  EXPECT_FALSE(r.error);
  EXPECT_EQ(r.requeue_after, seconds(30));
  auto calls = api.calls_of("apply_status");
  ASSERT_EQ(calls.size(), 1u);
  EXPECT_EQ(calls[0].kind, "RunnelCluster");
  EXPECT_EQ(calls[0].body["apiVersion"], "runnel.dev/v1alpha1");
  EXPECT_EQ(calls[0].body["metadata"]["name"], "demo");
  Json s = last_status();
  EXPECT_EQ(s["observedGeneration"], 2);
  EXPECT_EQ(s["replicas"], 3);
  EXPECT_EQ(s["readyBrokers"], 3);
  EXPECT_EQ(s["bootstrap"], "demo-bootstrap.kafka.svc:9092");
  EXPECT_EQ(s["selector"], "app.kubernetes.io/component=broker,app.kubernetes.io/instance=demo,"
                           "app.kubernetes.io/name=runnel");
  EXPECT_EQ(s["configHash"], desired_hash(cluster_json(3)));
  ASSERT_EQ(s["brokers"].size(), 3u);
  EXPECT_EQ(s["brokers"][1], Json({{"id", 1}, {"pod", "demo-1"}, {"ready", true}, {"address", "10.0.0.2:9092"}}));
  EXPECT_EQ(condition(s, "Ready")["status"], "True");
  EXPECT_EQ(condition(s, "Ready")["lastTransitionTime"], kNow);
  EXPECT_EQ(condition(s, "Progressing")["status"], "False");
  EXPECT_EQ(condition(s, "Degraded")["status"], "False");
  EXPECT_EQ(s["rollingRestart"]["inProgress"], false);
  EXPECT_TRUE(deleted_pods().empty());
}

TEST_F(ClusterControllerTest, UnchangedStatusIsNotRewritten) {
  healthy_cluster(3);
  reconcile();
  clusters.at("kafka", "demo")["status"] = last_status();
  reconcile();
  EXPECT_EQ(api.calls_of("apply_status").size(), 1u);
}

TEST_F(ClusterControllerTest, BrokersStartingIsProgressing) {
  clusters.put(cluster_json(3));
  std::string h = desired_hash(cluster_json(3));
  pods.put(pod_json({.ordinal = 0, .hash = h}));
  pods.put(pod_json({.ordinal = 1, .ready = false, .hash = h}));
  kube::ReconcileResult r = reconcile();
  EXPECT_EQ(r.requeue_after, seconds(5));
  Json s = last_status();
  EXPECT_EQ(s["readyBrokers"], 1);
  EXPECT_EQ(s["replicas"], 2);
  EXPECT_EQ(condition(s, "Ready")["status"], "False");
  EXPECT_EQ(condition(s, "Ready")["message"], "1/3 brokers ready");
  EXPECT_EQ(condition(s, "Progressing")["status"], "True");
  EXPECT_EQ(condition(s, "Progressing")["reason"], "Scaling");
  EXPECT_EQ(condition(s, "Degraded")["status"], "False");
}

TEST_F(ClusterControllerTest, ApplyFailureIsDegradedAndAnError) {
  healthy_cluster(3);
  api.apply_results["StatefulSet"] = {422, {}, "Invalid", "spec: Forbidden: updates to statefulset spec"};
  kube::ReconcileResult r = reconcile();
  EXPECT_TRUE(r.error);
  EXPECT_NE(r.error_message.find("StatefulSet demo"), std::string::npos) << r.error_message;
  // Stops at the failure: the PDB after the StatefulSet is not applied, and nothing is rolled.
  EXPECT_EQ(api.calls_of("apply").size(), 4u);
  EXPECT_TRUE(deleted_pods().empty());
  Json s = last_status();
  EXPECT_EQ(condition(s, "Degraded")["status"], "True");
  EXPECT_EQ(condition(s, "Degraded")["reason"], "ApplyFailed");
  EXPECT_NE(condition(s, "Degraded")["message"].get<std::string>().find("Forbidden"), std::string::npos);
  EXPECT_EQ(condition(s, "Ready")["status"], "False");
  EXPECT_TRUE(events.has("ApplyFailed"));
}

TEST_F(ClusterControllerTest, InvalidBrokerConfigIsNotAppliedOrRolled) {
  healthy_cluster(3);
  clusters.put(cluster_json(3, {{"log.segment.bytes", "12"}}));  // below the broker's minimum
  kube::ReconcileResult r = reconcile();
  EXPECT_FALSE(r.error);  // retrying cannot help; a spec edit re-queues the cluster
  EXPECT_EQ(r.requeue_after, seconds(30));
  EXPECT_TRUE(api.calls_of("apply").empty());
  EXPECT_TRUE(deleted_pods().empty());
  Json d = condition(last_status(), "Degraded");
  EXPECT_EQ(d["status"], "True");
  EXPECT_EQ(d["reason"], "InvalidConfig");
  EXPECT_NE(d["message"].get<std::string>().find("log.segment.bytes"), std::string::npos) << d;
  EXPECT_EQ(condition(last_status(), "Ready")["reason"], "InvalidConfig");
  EXPECT_TRUE(events.has("InvalidConfig"));
}

TEST_F(ClusterControllerTest, TransportFailureIsAnError) {
  clusters.put(cluster_json());
  api.apply_results["ConfigMap"] = {0, {}, "", "connection refused"};
  kube::ReconcileResult r = reconcile();
  EXPECT_TRUE(r.error);
  EXPECT_EQ(api.calls_of("apply").size(), 1u);
}

TEST_F(ClusterControllerTest, CrashLoopingBrokerIsDegraded) {
  clusters.put(cluster_json(3));
  std::string h = desired_hash(cluster_json(3));
  pods.put(pod_json({.ordinal = 0, .hash = h}));
  pods.put(pod_json({.ordinal = 1, .hash = h}));
  pods.put(pod_json({.ordinal = 2, .ready = false, .hash = h, .waiting_reason = "CrashLoopBackOff"}));
  reconcile();
  Json d = condition(last_status(), "Degraded");
  EXPECT_EQ(d["status"], "True");
  EXPECT_EQ(d["reason"], "BrokerFailing");
  EXPECT_EQ(d["message"], "pod demo-2: CrashLoopBackOff");
}

TEST_F(ClusterControllerTest, LongUnreadyBrokerIsDegraded) {
  clusters.put(cluster_json(3));
  std::string h = desired_hash(cluster_json(3));
  pods.put(pod_json({.ordinal = 0, .hash = h}));
  pods.put(pod_json({.ordinal = 1, .hash = h}));
  pods.put(pod_json({.ordinal = 2, .ready = false, .hash = h, .ready_since = "2026-11-25T11:50:00Z"}));
  reconcile();
  Json d = condition(last_status(), "Degraded");
  EXPECT_EQ(d["reason"], "BrokerNotReady");
  EXPECT_EQ(d["message"], "pod demo-2 has not been ready for 10 minutes");
}

TEST_F(ClusterControllerTest, RecentlyUnreadyBrokerIsNotDegraded) {
  clusters.put(cluster_json(3));
  std::string h = desired_hash(cluster_json(3));
  for (int i = 0; i < 2; ++i) pods.put(pod_json({.ordinal = i, .hash = h}));
  pods.put(pod_json({.ordinal = 2, .ready = false, .hash = h, .ready_since = "2026-11-25T11:58:00Z"}));
  reconcile();
  EXPECT_EQ(condition(last_status(), "Degraded")["status"], "False");
}

TEST_F(ClusterControllerTest, ScalingEmitsEvent) {
  healthy_cluster(3);
  Json sts = {{"metadata", {{"name", "demo"}, {"namespace", "kafka"}}}, {"spec", {{"replicas", 3}}}};
  statefulsets.put(sts);
  reconcile();
  EXPECT_FALSE(events.has("Scaling"));
  clusters.put(cluster_json(5));
  reconcile();
  EXPECT_TRUE(events.has("Scaling"));
  EXPECT_EQ(api.calls_of("apply")[8].body["spec"]["replicas"], 5);  // second round's StatefulSet
}

TEST_F(ClusterControllerTest, InvalidSpecIsReportedNotRetried) {
  Json c = cluster_json();
  c["spec"]["replicas"] = "many";
  clusters.put(c);
  kube::ReconcileResult r = reconcile();
  EXPECT_FALSE(r.error);
  EXPECT_TRUE(api.calls.empty());
  EXPECT_TRUE(events.has("InvalidSpec"));
}

}  // namespace
}  // namespace runnel::controllers::cluster_testing
