#include "operator/kube/manager.h"

#include <gtest/gtest.h>

#include "operator/kube/http_api.h"
#include "tests/unit/operator_fakes/fake_apiserver.h"
#include "tests/unit/operator_fakes/wait.h"

namespace runnel::kube {
namespace {

using namespace std::chrono_literals;
using operator_fakes::FakeApiServer;
using operator_fakes::wait_until;

// Counts reconciles per key; fails a key a few times when asked; reads from its store.
class FakeReconciler : public Reconciler {
 public:
  explicit FakeReconciler(const Store& clusters) : clusters_(clusters) {}
  std::string name() const override { return "runnelcluster"; }
  const ResourceType& primary() const override { return types::kRunnelCluster; }
  std::vector<ResourceType> watches() const override { return {types::kStatefulSet}; }
  ReconcileResult reconcile(const ObjectKey& key) override {
    std::lock_guard lock(mu_);
    ++runs_[key.ns + "/" + key.name];
    seen_in_store_ = clusters_.get(key.ns, key.name).has_value();
    if (fail_left_ > 0) {
      --fail_left_;
      return ReconcileResult::failed("injected");
    }
    if (requeue_left_ > 0) {
      --requeue_left_;
      return ReconcileResult::after(30ms);
    }
    return ReconcileResult::done();
  }
  int runs(const std::string& key) {
    std::lock_guard lock(mu_);
    return runs_[key];
  }
  void fail(int n) {
    std::lock_guard lock(mu_);
    fail_left_ = n;
  }
  void requeue(int n) {
    std::lock_guard lock(mu_);
    requeue_left_ = n;
  }
  bool seen_in_store() {
    std::lock_guard lock(mu_);
    return seen_in_store_;
  }

 private:
  const Store& clusters_;
  std::mutex mu_;
  std::map<std::string, int> runs_;
  int fail_left_ = 0;
  int requeue_left_ = 0;
  bool seen_in_store_ = false;
};

Json cluster(const std::string& ns, const std::string& name) {
  return {{"metadata", {{"namespace", ns}, {"name", name}}}, {"spec", {{"replicas", 1}}}};
}

Json owned_sts(const std::string& ns, const std::string& name, const std::string& owner) {
  return {{"metadata",
           {{"namespace", ns},
            {"name", name},
            {"ownerReferences",
             {{{"apiVersion", "runnel.dev/v1alpha1"}, {"kind", "RunnelCluster"}, {"name", owner},
               {"controller", true}}}}}}};
}

struct Fixture {
  FakeApiServer server;
  std::unique_ptr<HttpApi> api;
  OperatorMetrics metrics;
  std::unique_ptr<Manager> manager;
  FakeReconciler* rec = nullptr;
  explicit Fixture(ManagerOptions opts = {}) {
    api = HttpApi::create(server.config(), {}).value();
    opts.informer.watch_timeout_seconds = 5;
    opts.informer.backoff_initial = 20ms;
    manager = std::make_unique<Manager>(*api, opts, &metrics);
    auto r = std::make_unique<FakeReconciler>(manager->store(types::kRunnelCluster));
    rec = r.get();
    manager->add(std::move(r));
  }
};

TEST(Manager, ReconcilesPrimariesAndOwnersOfSecondaries) {
  Fixture f;
  f.server.put("runnelclusters", cluster("ns", "c1"));
  f.manager->start();
  ASSERT_TRUE(wait_until([&] { return f.rec->runs("ns/c1") == 1; }));
  EXPECT_TRUE(f.manager->caches_synced());
  EXPECT_TRUE(f.manager->workers_running());
  EXPECT_TRUE(f.rec->seen_in_store());
  EXPECT_EQ(f.manager->informer_count(), 2u);

  f.server.put("runnelclusters", cluster("ns", "c1"));  // spec edit
  ASSERT_TRUE(wait_until([&] { return f.rec->runs("ns/c1") == 2; }));
  f.server.put("statefulsets", owned_sts("ns", "c1-brokers", "c1"));  // a child changed
  ASSERT_TRUE(wait_until([&] { return f.rec->runs("ns/c1") == 3; }));
  f.server.put("statefulsets", {{"metadata", {{"namespace", "ns"}, {"name", "unowned"}}}});
  f.server.erase("runnelclusters", "ns", "c1");  // deletes are reconciled too
  ASSERT_TRUE(wait_until([&] { return f.rec->runs("ns/c1") == 4; }));
  std::this_thread::sleep_for(100ms);
  EXPECT_EQ(f.rec->runs("ns/c1"), 4);
  EXPECT_EQ(f.rec->runs("ns/unowned"), 0);

  std::string text = f.metrics.text();
  EXPECT_NE(text.find("runnel_operator_reconcile_total{controller=\"runnelcluster\",result=\"success\"} 4"),
            std::string::npos) << text;
  EXPECT_NE(text.find("runnel_operator_reconcile_duration_seconds_count{controller=\"runnelcluster\"} 4"),
            std::string::npos);
  EXPECT_NE(text.find("runnel_operator_leader 1"), std::string::npos);
  f.manager->stop();
}

TEST(Manager, ErrorsBackOffAndRequeueAfterRunsAgain) {
  Fixture f;
  f.rec->fail(3);
  f.server.put("runnelclusters", cluster("ns", "c"));
  f.manager->start();
  // 3 failures with 5, 10, 20 ms backoff, then success.
  ASSERT_TRUE(wait_until([&] { return f.rec->runs("ns/c") == 4; }));
  std::this_thread::sleep_for(100ms);
  EXPECT_EQ(f.rec->runs("ns/c"), 4);
  std::string text = f.metrics.text();
  EXPECT_NE(text.find("runnel_operator_reconcile_errors_total{controller=\"runnelcluster\"} 3"),
            std::string::npos) << text;
  EXPECT_NE(text.find("result=\"error\"} 3"), std::string::npos);

  f.rec->requeue(2);
  f.server.put("runnelclusters", cluster("ns", "c"));
  ASSERT_TRUE(wait_until([&] { return f.rec->runs("ns/c") == 7; }));  // 1 + 2 requeues
  EXPECT_NE(f.metrics.text().find("result=\"requeue\"} 2"), std::string::npos);
}

TEST(Manager, WorkersWaitForCacheSync) {
  Fixture f;
  f.server.fail_lists("statefulsets", 500);
  f.server.put("runnelclusters", cluster("ns", "c"));
  f.manager->start();
  std::this_thread::sleep_for(300ms);
  EXPECT_FALSE(f.manager->caches_synced());
  EXPECT_FALSE(f.manager->workers_running());
  EXPECT_EQ(f.rec->runs("ns/c"), 0);
  f.server.fail_lists("statefulsets", 0);
  ASSERT_TRUE(wait_until([&] { return f.rec->runs("ns/c") == 1; }));
}

TEST(Manager, OnlyTheLeaderReconciles) {
  ManagerOptions opts;
  opts.leader_elect = true;
  opts.leader_election.ns = "runnel-system";
  opts.leader_election.identity = "one";
  opts.leader_election.lease_duration = 800ms;
  opts.leader_election.renew_deadline = 500ms;
  opts.leader_election.retry_period = 100ms;
  Fixture f(opts);
  // Someone else holds a fresh lease.
  f.server.put("leases", {{"metadata", {{"namespace", "runnel-system"}, {"name", "runnel-operator"}}},
                          {"spec", {{"holderIdentity", "other"}, {"renewTime", "x"}}}});
  f.server.put("runnelclusters", cluster("ns", "c"));
  f.manager->start();
  ASSERT_TRUE(wait_until([&] { return f.manager->caches_synced(); }));
  std::this_thread::sleep_for(400ms);
  EXPECT_FALSE(f.manager->leading());
  EXPECT_EQ(f.rec->runs("ns/c"), 0);
  EXPECT_NE(f.metrics.text().find("runnel_operator_leader 0"), std::string::npos);
  // The other holder stops renewing; after the lease duration we take over and reconcile.
  ASSERT_TRUE(wait_until([&] { return f.rec->runs("ns/c") == 1; }));
  EXPECT_TRUE(f.manager->leading());
  EXPECT_NE(f.metrics.text().find("runnel_operator_leader 1"), std::string::npos);
  f.manager->stop();
  auto lease = f.server.object("leases", "runnel-system", "runnel-operator");
  EXPECT_FALSE((*lease)["spec"].contains("holderIdentity"));  // released on stop
}

TEST(Manager, WatchesOnlyTheGivenNamespaces) {
  ManagerOptions opts;
  opts.namespaces = {"a", "b"};
  Fixture f(opts);
  f.server.put("runnelclusters", cluster("a", "x"));
  f.server.put("runnelclusters", cluster("b", "y"));
  f.server.put("runnelclusters", cluster("c", "z"));
  f.manager->start();
  ASSERT_TRUE(wait_until([&] { return f.rec->runs("a/x") == 1 && f.rec->runs("b/y") == 1; }));
  EXPECT_EQ(f.manager->informer_count(), 2u);  // types; each has one informer per namespace
  std::this_thread::sleep_for(100ms);
  EXPECT_EQ(f.rec->runs("c/z"), 0);
  EXPECT_EQ(f.manager->store(types::kRunnelCluster).list("").size(), 2u);
}

TEST(Manager, WatchRestartsAreCounted) {
  Fixture f;
  f.manager->start();
  ASSERT_TRUE(wait_until([&] { return f.server.open_watches() == 2; }));
  f.server.drop_watches();
  ASSERT_TRUE(wait_until([&] {
    return f.metrics.text().find("runnel_operator_watch_restarts_total{resource=\"runnelclusters\"} 1") !=
           std::string::npos;
  }));
  EXPECT_TRUE(f.manager->healthy());
}

}  // namespace
}  // namespace runnel::kube
