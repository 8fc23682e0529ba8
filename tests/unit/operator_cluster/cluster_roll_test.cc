#include <gtest/gtest.h>

#include "operator/controllers/cluster_roll.h"
#include "tests/unit/operator_cluster/fixture.h"

namespace runnel::controllers::cluster_testing {
namespace {

// Three ready brokers on an old config: the cluster's config changed.
class RollTest : public ClusterControllerTest {
 protected:
  void SetUp() override {
    clusters.put(cluster_json(3, {{"log.retention.ms", "1000"}}));
    for (int i = 0; i < 3; ++i) pods.put(pod_json({.ordinal = i, .hash = "old"}));
  }
  std::string hash() { return desired_hash(cluster_json(3, {{"log.retention.ms", "1000"}})); }
  void replace_pod(int ordinal, bool ready) {
    pods.put(pod_json({.ordinal = ordinal, .ready = ready, .hash = hash(), .uid = "new-" + std::to_string(ordinal)}));
  }
};

// The roll step fails but the status step still runs: the failure is on the resource.
TEST_F(RollTest, FailedPodDeletionIsRetriedAndShownInStatus) {
  api.remove_results["Pod"] = {500, {}, "InternalError", "etcd timeout"};
  kube::ReconcileResult r = reconcile();
  EXPECT_TRUE(r.error);
  EXPECT_NE(r.error_message.find("cannot delete pod demo-2"), std::string::npos) << r.error_message;
  EXPECT_FALSE(events.has("PodRestarted"));
  Json s = last_status();
  EXPECT_EQ(condition(s, "Progressing")["reason"], "RollingRestart");
  EXPECT_NE(condition(s, "Progressing")["message"].get<std::string>().find("cannot delete pod demo-2"),
            std::string::npos);
  EXPECT_EQ(s["rollingRestart"].value("currentPod", ""), "");

  api.remove_results.clear();
  clusters.at("kafka", "demo")["status"] = s;
  r = reconcile();
  EXPECT_FALSE(r.error);
  EXPECT_EQ(deleted_pods(), (std::vector<std::string>{"demo-2", "demo-2"}));
  EXPECT_TRUE(events.has("PodRestarted"));
}

TEST_F(RollTest, RestartsOnePodAtATimeHighestFirst) {
  kube::ReconcileResult r = reconcile();
  EXPECT_FALSE(r.error);
  EXPECT_EQ(r.requeue_after, std::chrono::seconds(5));
  EXPECT_EQ(deleted_pods(), std::vector<std::string>{"demo-2"});
  EXPECT_TRUE(events.has("RollingRestartStarted"));
  EXPECT_TRUE(events.has("PodRestarted"));
  Json s = last_status();
  EXPECT_EQ(s["rollingRestart"]["inProgress"], true);
  EXPECT_EQ(s["rollingRestart"]["pending"], 3);
  EXPECT_EQ(s["rollingRestart"]["currentPod"], "demo-2");
  EXPECT_EQ(condition(s, "Progressing")["reason"], "RollingRestart");
  EXPECT_EQ(condition(s, "Ready")["status"], "False");
  clusters.at("kafka", "demo")["status"] = s;

  // The store has not seen the deletion yet: the same pod must not count as "all ready".
  reconcile();
  EXPECT_EQ(deleted_pods().size(), 1u);

  // Terminating.
  Json terminating = pod_json({.ordinal = 2, .hash = "old", .deleting = true});
  pods.put(terminating);
  reconcile();
  EXPECT_EQ(deleted_pods().size(), 1u);

  // Replaced but not ready yet.
  replace_pod(2, false);
  reconcile();
  EXPECT_EQ(deleted_pods().size(), 1u);

  // Ready: the next one goes.
  replace_pod(2, true);
  reconcile();
  EXPECT_EQ(deleted_pods(), (std::vector<std::string>{"demo-2", "demo-1"}));
  EXPECT_FALSE(events.has("RollingRestartFinished"));

  replace_pod(1, true);
  reconcile();
  EXPECT_EQ(deleted_pods(), (std::vector<std::string>{"demo-2", "demo-1", "demo-0"}));
  // Every pod is current, but the last one is not ready yet: the roll is not finished.
  replace_pod(0, false);
  clusters.at("kafka", "demo")["status"] = last_status();
  reconcile();
  EXPECT_FALSE(events.has("RollingRestartFinished"));
  EXPECT_EQ(last_status()["rollingRestart"]["inProgress"], true);
  EXPECT_EQ(last_status()["rollingRestart"]["pending"], 0);

  replace_pod(0, true);
  clusters.at("kafka", "demo")["status"] = last_status();
  kube::ReconcileResult done = reconcile();
  EXPECT_EQ(deleted_pods().size(), 3u);
  EXPECT_TRUE(events.has("RollingRestartFinished"));
  EXPECT_EQ(last_status()["rollingRestart"]["inProgress"], false);
  EXPECT_EQ(condition(last_status(), "Ready")["status"], "True");
  EXPECT_EQ(done.requeue_after, std::chrono::seconds(30));
}

TEST_F(RollTest, NoRestartWhileAnotherBrokerIsNotReady) {
  replace_pod(1, false);  // current config, but not ready
  reconcile();
  EXPECT_TRUE(deleted_pods().empty());
  Json p = condition(last_status(), "Progressing");
  EXPECT_EQ(p["reason"], "RollingRestart");
  EXPECT_NE(p["message"].get<std::string>().find("demo-1 is not ready"), std::string::npos) << p;
}

TEST_F(RollTest, NoRestartWhileAPodIsMissing) {
  pods.erase("kafka", "demo-0");
  reconcile();
  EXPECT_TRUE(deleted_pods().empty());
}

TEST_F(RollTest, GateCanBlock) {
  struct Never : RollGate {
    std::optional<std::string> blocked(const api::RunnelCluster&, const std::vector<BrokerPod>&) const override {
      return "under-replicated partitions";
    }
  };
  gate = std::make_shared<Never>();
  reconcile();
  EXPECT_TRUE(deleted_pods().empty());
  EXPECT_NE(condition(last_status(), "Progressing")["message"].get<std::string>().find("under-replicated"),
            std::string::npos);
}

TEST_F(ClusterControllerTest, NoRestartWhenHashesMatch) {
  healthy_cluster(3);
  reconcile();
  reconcile();
  EXPECT_TRUE(deleted_pods().empty());
  EXPECT_FALSE(events.has("RollingRestartStarted"));
}

TEST_F(ClusterControllerTest, RevisionChangeRollsWhenStatefulSetObservedIt) {
  healthy_cluster(3);
  Json sts = {{"metadata", {{"name", "demo"}, {"namespace", "kafka"}, {"generation", 4}}},
              {"status", {{"observedGeneration", 3}, {"updateRevision", "demo-rev2"}}}};
  api.apply_results["StatefulSet"] = {200, sts, "", ""};
  reconcile();  // the StatefulSet controller has not caught up: its revision cannot be trusted
  EXPECT_TRUE(deleted_pods().empty());
  EXPECT_EQ(condition(last_status(), "Progressing")["reason"], "Updating");
  EXPECT_EQ(condition(last_status(), "Ready")["status"], "False");

  sts["status"]["observedGeneration"] = 4;
  api.apply_results["StatefulSet"] = {200, sts, "", ""};
  reconcile();
  EXPECT_EQ(deleted_pods(), std::vector<std::string>{"demo-2"});
}

TEST_F(ClusterControllerTest, ScaledAwayPodsAreNotRolled) {
  clusters.put(cluster_json(2));
  std::string h = desired_hash(cluster_json(2));
  pods.put(pod_json({.ordinal = 0, .hash = h}));
  pods.put(pod_json({.ordinal = 1, .hash = h}));
  pods.put(pod_json({.ordinal = 2, .hash = "old"}));  // being removed by the StatefulSet
  reconcile();
  EXPECT_TRUE(deleted_pods().empty());
  EXPECT_EQ(condition(last_status(), "Progressing")["reason"], "Scaling");
}

TEST(PlanRoll, PureDecision) {
  api::RunnelCluster c;
  c.spec.replicas = 2;
  std::vector<BrokerPod> pods = {{.name = "a-0", .uid = "u0", .ordinal = 0, .ready = true, .config_hash = "h"},
                                 {.name = "a-1", .uid = "u1", .ordinal = 1, .ready = true, .config_hash = "old"}};
  AllBrokersReadyGate gate;
  RollPlan plan = plan_roll(c, pods, {.desired_hash = "h"}, gate);
  EXPECT_EQ(plan.action, RollPlan::Action::restart);
  EXPECT_EQ(plan.pod, "a-1");
  EXPECT_EQ(plan.stale, std::vector<std::string>{"a-1"});

  plan = plan_roll(c, pods, {.desired_hash = "h", .last_deleted_uid = "u1"}, gate);
  EXPECT_EQ(plan.action, RollPlan::Action::wait);

  pods[1].config_hash = "h";
  plan = plan_roll(c, pods, {.desired_hash = "h"}, gate);
  EXPECT_EQ(plan.action, RollPlan::Action::none);
  EXPECT_TRUE(plan.stale.empty());

  pods[0].revision = "r1";
  pods[1].revision = "r2";
  plan = plan_roll(c, pods, {.desired_hash = "h", .update_revision = "r2"}, gate);
  EXPECT_EQ(plan.action, RollPlan::Action::restart);
  EXPECT_EQ(plan.pod, "a-0");
}

}  // namespace
}  // namespace runnel::controllers::cluster_testing
