#include "operator/kube/leader_election.h"

#include <gtest/gtest.h>

#include "operator/kube/http_api.h"
#include "tests/unit/operator_fakes/fake_apiserver.h"
#include "tests/unit/operator_fakes/wait.h"

namespace runnel::kube {
namespace {

using namespace std::chrono_literals;
using operator_fakes::FakeApiServer;
using operator_fakes::wait_until;

struct Candidate {
  std::unique_ptr<HttpApi> api;
  std::atomic<int> started{0}, stopped{0};
  std::unique_ptr<LeaderElector> elector;
  Candidate(FakeApiServer& server, const std::string& id, bool release = true) {
    api = HttpApi::create(server.config(), {}).value();
    LeaderElectionConfig c;
    c.ns = "runnel-system";
    c.name = "runnel-operator";
    c.identity = id;
    c.lease_duration = 800ms;
    c.renew_deadline = 500ms;
    c.retry_period = 100ms;
    c.release_on_stop = release;
    elector = std::make_unique<LeaderElector>(
        *api, c, LeaderCallbacks{[this] { ++started; }, [this] { ++stopped; }});
  }
};

std::string holder(FakeApiServer& s) {
  auto lease = s.object("leases", "runnel-system", "runnel-operator");
  return lease ? (*lease)["spec"].value("holderIdentity", "") : "";
}

TEST(LeaderElection, OneLeadsAndTheOtherTakesOverAfterExpiry) {
  FakeApiServer server;
  Candidate a(server, "a", /*release=*/false);
  Candidate b(server, "b");
  a.elector->start();
  ASSERT_TRUE(wait_until([&] { return a.elector->is_leader(); }));
  b.elector->start();
  std::this_thread::sleep_for(1200ms);  // longer than the lease: a keeps renewing
  EXPECT_TRUE(a.elector->is_leader());
  EXPECT_FALSE(b.elector->is_leader());
  EXPECT_EQ(holder(server), "a");
  EXPECT_EQ(b.elector->observed_holder(), "a");
  auto lease = server.object("leases", "runnel-system", "runnel-operator");
  EXPECT_EQ((*lease)["spec"]["leaseDurationSeconds"], 1);
  EXPECT_EQ((*lease)["spec"]["renewTime"].get<std::string>().size(), 27u);  // MicroTime

  auto crashed_at = std::chrono::steady_clock::now();
  a.elector->stop();  // a crash: the lease is not released
  ASSERT_TRUE(wait_until([&] { return b.elector->is_leader(); }));
  EXPECT_GE(std::chrono::steady_clock::now() - crashed_at, 600ms);
  EXPECT_EQ(holder(server), "b");
  EXPECT_EQ(b.started.load(), 1);
  lease = server.object("leases", "runnel-system", "runnel-operator");
  EXPECT_EQ((*lease)["spec"]["leaseTransitions"], 1);
}

TEST(LeaderElection, ReleaseOnStopLetsTheSuccessorInAtOnce) {
  FakeApiServer server;
  Candidate a(server, "a");
  Candidate b(server, "b");
  a.elector->start();
  ASSERT_TRUE(wait_until([&] { return a.elector->is_leader(); }));
  b.elector->start();
  std::this_thread::sleep_for(300ms);
  auto released_at = std::chrono::steady_clock::now();
  a.elector->stop();
  EXPECT_EQ(a.stopped.load(), 1);
  ASSERT_TRUE(wait_until([&] { return b.elector->is_leader(); }));
  EXPECT_LT(std::chrono::steady_clock::now() - released_at, 600ms);
}

TEST(LeaderElection, LeaderStopsLeadingWhenItCannotRenew) {
  FakeApiServer server;
  Candidate a(server, "a");
  a.elector->start();
  ASSERT_TRUE(wait_until([&] { return a.elector->is_leader(); }));
  server.stop();
  ASSERT_TRUE(wait_until([&] { return a.stopped.load() == 1; }, 5s));
  EXPECT_FALSE(a.elector->is_leader());
}

TEST(LeaderElection, StaleResourceVersionLosesTheRace) {
  FakeApiServer server;
  Candidate a(server, "a");
  ASSERT_TRUE(a.elector->try_acquire_or_renew());  // creates the Lease
  auto lease = *server.object("leases", "runnel-system", "runnel-operator");
  // Another writer updates the Lease; a merge patch carrying the old RV must be refused.
  server.put("leases", lease);
  Result r = a.api->merge_patch(types::kLease, "runnel-system", "runnel-operator",
                                {{"metadata", {{"resourceVersion",
                                                lease["metadata"]["resourceVersion"]}}},
                                 {"spec", {{"holderIdentity", "x"}}}});
  EXPECT_TRUE(r.conflict());
  EXPECT_TRUE(a.elector->try_acquire_or_renew());  // re-reads and renews
  EXPECT_EQ(holder(server), "a");
}

TEST(LeaderElection, DefaultIdentity) {
  setenv("POD_NAME", "runnel-operator-7d9f-abcde", 1);
  EXPECT_EQ(default_identity(), "runnel-operator-7d9f-abcde");
  unsetenv("POD_NAME");
  EXPECT_NE(default_identity().find("_" + std::to_string(getpid())), std::string::npos);
}

}  // namespace
}  // namespace runnel::kube
