#include "operator/kube/http_api.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "operator/kube/watch.h"
#include "tests/unit/operator_fakes/fake_apiserver.h"

namespace runnel::kube {
namespace {

using operator_fakes::FakeApiServer;

Json cm(const std::string& ns, const std::string& name, const std::string& value) {
  return {{"metadata", {{"namespace", ns}, {"name", name}}}, {"data", {{"k", value}}}};
}

std::unique_ptr<HttpApi> client(const FakeApiServer& server, HttpOptions opts = {}) {
  auto api = HttpApi::create(server.config(), opts);
  EXPECT_TRUE(api.has_value()) << api.error();
  return api ? std::move(api).value() : nullptr;
}

TEST(HttpApi, CrudAndStatusDecoding) {
  FakeApiServer server;
  auto api = client(server);
  Result created = api->create(types::kConfigMap, cm("ns", "a", "1"));
  ASSERT_TRUE(created.ok()) << created.message;
  EXPECT_EQ(created.status, 201);
  Result dup = api->create(types::kConfigMap, cm("ns", "a", "1"));
  EXPECT_EQ(dup.status, 409);
  EXPECT_EQ(dup.reason, "AlreadyExists");

  Result got = api->get(types::kConfigMap, "ns", "a");
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got.body["data"]["k"], "1");
  Result missing = api->get(types::kConfigMap, "ns", "zzz");
  EXPECT_TRUE(missing.not_found());
  EXPECT_EQ(missing.reason, "NotFound");

  std::string rv = got.body["metadata"]["resourceVersion"];
  Result patched = api->merge_patch(types::kConfigMap, "ns", "a",
                                    {{"metadata", {{"resourceVersion", rv}}}, {"data", {{"k", "2"}}}});
  ASSERT_TRUE(patched.ok()) << patched.message;
  Result stale = api->merge_patch(types::kConfigMap, "ns", "a",
                                  {{"metadata", {{"resourceVersion", rv}}}, {"data", {{"k", "3"}}}});
  EXPECT_TRUE(stale.conflict());

  Result removed = api->remove(types::kConfigMap, "ns", "a");
  EXPECT_TRUE(removed.ok());
  EXPECT_TRUE(api->remove(types::kConfigMap, "ns", "a").not_found());
  auto reqs = server.requests();
  EXPECT_NE(reqs.back().find("DELETE /api/v1/namespaces/ns/configmaps/a"), std::string::npos);
}

TEST(HttpApi, ServerSideApplyAndStatusSubresource) {
  FakeApiServer server;
  auto api = client(server);
  Json rc = {{"metadata", {{"namespace", "ns"}, {"name", "c"}}}, {"spec", {{"replicas", 3}}}};
  Result applied = api->apply(types::kRunnelCluster, rc);
  ASSERT_TRUE(applied.ok()) << applied.message;
  EXPECT_EQ(applied.body["kind"], "RunnelCluster");  // filled in by the client
  EXPECT_EQ(applied.body["apiVersion"], "runnel.dev/v1alpha1");
  Result st = api->apply_status(types::kRunnelCluster,
                                {{"metadata", {{"namespace", "ns"}, {"name", "c"}}},
                                 {"status", {{"observedGeneration", 1}}}});
  ASSERT_TRUE(st.ok()) << st.message;
  EXPECT_EQ(server.object("runnelclusters", "ns", "c")->at("status")["observedGeneration"], 1);
  auto reqs = server.requests();
  ASSERT_GE(reqs.size(), 2u);
  EXPECT_EQ(reqs[0],
            "PATCH /apis/runnel.dev/v1alpha1/namespaces/ns/runnelclusters/c"
            "?fieldManager=runnel-operator&force=true application/apply-patch+yaml");
  EXPECT_NE(reqs[1].find("/runnelclusters/c/status?fieldManager=runnel-operator&force=true"),
            std::string::npos);
  EXPECT_EQ(api->apply(types::kRunnelCluster, {{"metadata", Json::object()}}).reason, "Invalid");
}

TEST(HttpApi, ListFollowsContinueAndFillsKind) {
  FakeApiServer server;
  for (int i = 0; i < 7; ++i) server.put("configmaps", cm(i % 2 ? "odd" : "even", "m" + std::to_string(i), "v"));
  HttpOptions opts;
  opts.list_page_size = 2;
  auto api = client(server, opts);
  Result all = api->list(types::kConfigMap, "", {});
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all.body["items"].size(), 7u);
  EXPECT_EQ(all.body["items"][0]["kind"], "ConfigMap");
  EXPECT_EQ(all.body["items"][0]["apiVersion"], "v1");
  EXPECT_FALSE(all.body["metadata"]["resourceVersion"].get<std::string>().empty());
  EXPECT_EQ(server.count("list:configmaps"), 4);
  Result odd = api->list(types::kConfigMap, "odd", {"app=x", ""});
  EXPECT_EQ(odd.body["items"].size(), 3u);
  EXPECT_NE(server.requests().back().find("labelSelector=app=x"), std::string::npos);
}

TEST(HttpApi, TransportErrorsHaveStatusZero) {
  Config c;
  c.server = "http://127.0.0.1:1";
  auto created = HttpApi::create(c, {});
  ASSERT_TRUE(created.has_value()) << created.error();
  auto api = std::move(created).value();
  Result r = api->get(types::kPod, "ns", "p");
  EXPECT_TRUE(r.transport_error());
  EXPECT_FALSE(r.message.empty());
  c.server = "ftp://x";
  EXPECT_FALSE(HttpApi::create(c, {}).has_value());
}

TEST(HttpApi, RotatedTokenIsRereadAfter401) {
  FakeApiServer server;
  auto dir = std::filesystem::temp_directory_path() / ("tok-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "token") << "old";
  Config c = server.config();
  c.token_file = (dir / "token").string();
  auto api = HttpApi::create(c, {}).value();
  server.require_token("old");
  EXPECT_TRUE(api->create(types::kConfigMap, cm("ns", "a", "1")).ok());
  std::ofstream(dir / "token") << "new";  // the kubelet rotated it
  server.require_token("new");
  Result r = api->get(types::kConfigMap, "ns", "a");
  EXPECT_TRUE(r.ok()) << r.status << " " << r.message;
  EXPECT_EQ(server.count("401"), 1);  // one rejected attempt, then the re-read token
  std::filesystem::remove_all(dir);
}

TEST(HttpApi, WatchStreamsEventsUntilTimeout) {
  FakeApiServer server;
  auto api = client(server);
  server.put("configmaps", cm("ns", "a", "1"));
  std::thread writer([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    server.put("configmaps", cm("ns", "a", "2"));
    server.erase("configmaps", "ns", "a");
  });
  std::vector<std::string> types_seen;
  WatchOptions opts;
  opts.resource_version = "1";
  opts.timeout_seconds = 1;
  Result r = api->watch(types::kConfigMap, "ns", opts,
                        [&](WatchEvent&& ev) {
                          types_seen.push_back(std::string(to_string(ev.type)));
                          return true;
                        },
                        nullptr);
  writer.join();
  EXPECT_TRUE(r.ok()) << r.message;
  EXPECT_EQ(types_seen, (std::vector<std::string>{"ADDED", "MODIFIED", "DELETED"}));
  auto reqs = server.requests();
  EXPECT_NE(reqs.back().find("allowWatchBookmarks=true"), std::string::npos);
  EXPECT_NE(reqs.back().find("watch=1"), std::string::npos);
}

TEST(HttpApi, WatchCancelAbortsABlockedStream) {
  FakeApiServer server;
  auto api = client(server);
  WatchCanceller canceller;
  WatchOptions opts;
  opts.timeout_seconds = 60;
  auto t0 = std::chrono::steady_clock::now();
  std::thread stopper([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    canceller.cancel();
  });
  Result r = api->watch(types::kPod, "", opts, [](WatchEvent&&) { return true; }, &canceller);
  stopper.join();
  EXPECT_TRUE(r.transport_error());
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(5));
}

TEST(WatchDecoder, SplitsLinesAcrossChunks) {
  WatchDecoder d;
  std::vector<WatchEvent> got;
  auto emit = [&](WatchEvent&& e) {
    got.push_back(std::move(e));
    return true;
  };
  std::string stream =
      "{\"type\":\"ADDED\",\"object\":{\"a\":1}}\n\n{\"type\":\"BOOKMARK\",\"object\":{}}\n";
  for (char c : stream) ASSERT_TRUE(d.feed(&c, 1, emit));
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].object["a"], 1);
  EXPECT_EQ(got[1].type, WatchEventType::kBookmark);
  std::string unknown = "{\"type\":\"SOMETHING_NEW\",\"object\":{}}\n";
  ASSERT_TRUE(d.feed(unknown.data(), unknown.size(), emit));
  EXPECT_EQ(got.size(), 2u);  // skipped
  EXPECT_FALSE(d.feed("not json\n", 9, emit));
  EXPECT_FALSE(d.error().empty());
}

}  // namespace
}  // namespace runnel::kube
