#include "operator/kube/informer.h"

#include <gtest/gtest.h>

#include "operator/kube/http_api.h"
#include "tests/unit/operator_fakes/fake_apiserver.h"
#include "tests/unit/operator_fakes/wait.h"

namespace runnel::kube {
namespace {

using operator_fakes::FakeApiServer;
using operator_fakes::wait_until;

Json cm(const std::string& ns, const std::string& name, const std::string& value) {
  return {{"metadata", {{"namespace", ns}, {"name", name}}}, {"data", {{"k", value}}}};
}

InformerOptions fast() {
  InformerOptions o;
  o.watch_timeout_seconds = 2;
  o.backoff_initial = std::chrono::milliseconds(20);
  o.backoff_max = std::chrono::milliseconds(200);
  return o;
}

// Records handler calls as "add ns/name", "update ns/name old->new", "delete ns/name".
struct Recorder {
  std::mutex mu;
  std::vector<std::string> log;
  InformerHandler handler() {
    auto name = [](const Json& o) { return object_key(o); };
    auto val = [](const Json& o) { return o.value("data", Json::object()).value("k", ""); };
    return {[=, this](const Json& o) { push("add " + name(o)); },
            [=, this](const Json& a, const Json& b) {
              push("update " + name(b) + " " + val(a) + "->" + val(b));
            },
            [=, this](const Json& o) { push("delete " + name(o)); }};
  }
  void push(std::string s) {
    std::lock_guard lock(mu);
    log.push_back(std::move(s));
  }
  bool has(const std::string& s) {
    std::lock_guard lock(mu);
    return std::find(log.begin(), log.end(), s) != log.end();
  }
};

struct Fixture {
  FakeApiServer server;
  std::unique_ptr<HttpApi> api;
  Recorder rec;
  std::unique_ptr<Informer> informer;
  explicit Fixture(std::string ns = "") {
    api = HttpApi::create(server.config(), {}).value();
    informer = std::make_unique<Informer>(*api, types::kConfigMap, ns, fast());
    informer->add_handler(rec.handler());
  }
};

TEST(Informer, ListsThenWatchesAddUpdateDelete) {
  Fixture f;
  f.server.put("configmaps", cm("a", "one", "1"));
  f.server.put("configmaps", cm("b", "two", "1"));
  EXPECT_FALSE(f.informer->has_synced());
  f.informer->start();
  ASSERT_TRUE(wait_until([&] { return f.informer->has_synced(); }));
  EXPECT_EQ(f.informer->store().size(), 2u);
  EXPECT_TRUE(f.rec.has("add a/one"));
  EXPECT_TRUE(f.rec.has("add b/two"));
  ASSERT_TRUE(wait_until([&] { return f.server.open_watches() == 1; }));

  f.server.put("configmaps", cm("a", "three", "1"));
  f.server.put("configmaps", cm("a", "one", "2"));
  f.server.erase("configmaps", "b", "two");
  ASSERT_TRUE(wait_until([&] { return f.rec.has("delete b/two"); }));
  EXPECT_TRUE(f.rec.has("add a/three"));
  EXPECT_TRUE(f.rec.has("update a/one 1->2"));
  EXPECT_EQ(f.informer->store().get("a", "one")->at("data")["k"], "2");
  EXPECT_FALSE(f.informer->store().get("b", "two"));
  EXPECT_EQ(f.informer->resource_version(), std::to_string(f.server.resource_version()));
  EXPECT_EQ(f.informer->lists(), 1u);
  EXPECT_TRUE(f.informer->healthy());
}

TEST(Informer, NamespacedInformerSeesOnlyItsNamespace) {
  Fixture f("a");
  f.server.put("configmaps", cm("a", "x", "1"));
  f.server.put("configmaps", cm("b", "y", "1"));
  f.informer->start();
  ASSERT_TRUE(wait_until([&] { return f.informer->has_synced(); }));
  f.server.put("configmaps", cm("b", "z", "1"));
  f.server.put("configmaps", cm("a", "w", "1"));
  ASSERT_TRUE(wait_until([&] { return f.rec.has("add a/w"); }));
  EXPECT_EQ(f.informer->store().list("").size(), 2u);
  EXPECT_FALSE(f.rec.has("add b/z"));
}

TEST(Informer, BookmarkAdvancesTheResourceVersion) {
  Fixture f;
  f.informer->start();
  ASSERT_TRUE(wait_until([&] { return f.server.open_watches() == 1; }));
  f.server.put("secrets", {{"metadata", {{"namespace", "a"}, {"name", "s"}}}});  // other type
  std::string before = f.informer->resource_version();
  f.server.bookmark("configmaps");
  ASSERT_TRUE(wait_until([&] { return f.informer->resource_version() != before; }));
  EXPECT_EQ(f.informer->resource_version(), std::to_string(f.server.resource_version()));
  EXPECT_TRUE(f.rec.log.empty());  // a bookmark is not an object change
}

TEST(Informer, ExpiredResourceVersionRelistsAndEmitsDeletesForVanishedObjects) {
  Fixture f;
  f.server.put("configmaps", cm("a", "stays", "1"));
  f.server.put("configmaps", cm("a", "goes", "1"));
  f.informer->start();
  ASSERT_TRUE(wait_until([&] { return f.server.open_watches() == 1; }));
  // While the informer is cut off, objects change and history is compacted away.
  f.server.stop();
  f.server.erase("configmaps", "a", "goes");
  f.server.put("configmaps", cm("a", "stays", "2"));
  f.server.put("configmaps", cm("a", "new", "1"));
  f.server.compact();
  f.server.start();
  ASSERT_TRUE(wait_until([&] { return f.rec.has("delete a/goes"); }));
  EXPECT_TRUE(f.rec.has("update a/stays 1->2"));
  EXPECT_TRUE(f.rec.has("add a/new"));
  EXPECT_EQ(f.informer->lists(), 2u);
  EXPECT_GE(f.informer->watch_restarts(), 1u);
  EXPECT_EQ(f.informer->store().size(), 2u);
  // It keeps watching after the relist.
  f.server.put("configmaps", cm("a", "later", "1"));
  ASSERT_TRUE(wait_until([&] { return f.rec.has("add a/later"); }));
}

TEST(Informer, CompactionWhileWatchingGivesAn410ErrorEventAndARelist) {
  Fixture f;
  f.informer->start();
  ASSERT_TRUE(wait_until([&] { return f.server.open_watches() == 1; }));
  f.server.put("secrets", {{"metadata", {{"namespace", "a"}, {"name", "s"}}}});
  f.server.compact();  // our RV is now older than the oldest the server remembers
  ASSERT_TRUE(wait_until([&] { return f.informer->lists() == 2; }));
  EXPECT_GE(f.informer->watch_restarts(), 1u);
  ASSERT_TRUE(wait_until([&] { return f.server.open_watches() == 1; }));
}

TEST(Informer, DroppedWatchResumesFromTheLastResourceVersionWithoutRelisting) {
  Fixture f;
  f.informer->start();
  ASSERT_TRUE(wait_until([&] { return f.server.open_watches() == 1; }));
  f.server.drop_watches();
  f.server.put("configmaps", cm("a", "during", "1"));
  ASSERT_TRUE(wait_until([&] { return f.rec.has("add a/during"); }));
  // An API-server restart: connections refused for a while, then back with history intact.
  f.server.stop();
  f.server.put("configmaps", cm("a", "while-down", "1"));
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  f.server.start();
  ASSERT_TRUE(wait_until([&] { return f.rec.has("add a/while-down"); }));
  EXPECT_EQ(f.informer->lists(), 1u);
  EXPECT_GE(f.informer->watch_restarts(), 2u);
  EXPECT_GE(f.server.count("watch:configmaps"), 2);
}

TEST(Informer, FailingListIsRetriedWithBackoff) {
  Fixture f;
  f.server.fail_lists("configmaps", 500);
  f.informer->start();
  ASSERT_TRUE(wait_until([&] { return f.server.count("list:configmaps") >= 3; }));
  EXPECT_FALSE(f.informer->has_synced());
  f.server.fail_lists("configmaps", 0);
  ASSERT_TRUE(wait_until([&] { return f.informer->has_synced(); }));
}

TEST(Informer, ServerTimeoutEndsTheWatchAndItIsReopened) {
  Fixture f;
  f.informer->start();
  // watch_timeout_seconds=2 -> the server ends each watch after 2..3 s.
  ASSERT_TRUE(wait_until([&] { return f.server.count("watch:configmaps") >= 2; },
                         std::chrono::seconds(8)));
  EXPECT_EQ(f.informer->watch_restarts(), 0u);  // a normal end is not a restart
  EXPECT_EQ(f.informer->lists(), 1u);
}

}  // namespace
}  // namespace runnel::kube
