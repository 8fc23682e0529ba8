#include "operator/kube/paths.h"

#include <gtest/gtest.h>

#include "operator/kube/http_api.h"
#include "operator/kube/object_store.h"
#include "operator/kube/reconciler.h"

namespace runnel::kube {
namespace {

TEST(Paths, CoreAndGroupedTypes) {
  EXPECT_EQ(object_path(types::kPod, "ns1", "p-0"), "/api/v1/namespaces/ns1/pods/p-0");
  EXPECT_EQ(collection_path(types::kPod, ""), "/api/v1/pods");
  EXPECT_EQ(collection_path(types::kStatefulSet, "a"), "/apis/apps/v1/namespaces/a/statefulsets");
  EXPECT_EQ(object_path(types::kRunnelCluster, "a", "c", "status"),
            "/apis/runnel.dev/v1alpha1/namespaces/a/runnelclusters/c/status");
  ResourceType nodes{"", "v1", "nodes", "Node", false};
  EXPECT_EQ(object_path(nodes, "ignored", "n1"), "/api/v1/nodes/n1");
  EXPECT_EQ(group_version_path(types::kLease), "/apis/coordination.k8s.io/v1");
}

TEST(Paths, QueryEncoding) {
  EXPECT_EQ(url_encode("app=x,tier in (a b)"), "app%3Dx%2Ctier%20in%20%28a%20b%29");
  EXPECT_EQ(query_string({{"a", "1"}, {"skip", ""}, {"b", "x/y"}}), "?a=1&b=x%2Fy");
  EXPECT_EQ(query_string({{"skip", ""}}), "");
}

TEST(DecodeResponse, StatusFieldsAndPlainBodies) {
  Result r = decode_response(
      409, R"({"kind":"Status","status":"Failure","reason":"Conflict","message":"modified"})");
  EXPECT_TRUE(r.conflict());
  EXPECT_EQ(r.reason, "Conflict");
  EXPECT_EQ(r.message, "modified");
  Result plain = decode_response(502, "bad gateway");
  EXPECT_EQ(plain.message, "bad gateway");
  Result ok = decode_response(200, R"({"kind":"Pod"})");
  EXPECT_TRUE(ok.ok());
  EXPECT_EQ(ok.body["kind"], "Pod");
  EXPECT_EQ(decode_response(500, "").message, "HTTP 500");
}

class Owner : public Reconciler {
 public:
  std::string name() const override { return "owner"; }
  const ResourceType& primary() const override { return types::kRunnelCluster; }
  ReconcileResult reconcile(const ObjectKey&) override { return {}; }
};

TEST(MapSecondary, FollowsControllerOwnerReferencesOfThePrimaryKind) {
  Owner r;
  Json pod = {{"metadata",
               {{"namespace", "ns"},
                {"name", "c-0"},
                {"ownerReferences",
                 {{{"apiVersion", "apps/v1"}, {"kind", "StatefulSet"}, {"name", "sts"},
                   {"controller", true}},
                  {{"apiVersion", "runnel.dev/v1alpha1"}, {"kind", "RunnelCluster"},
                   {"name", "not-controller"}},
                  {{"apiVersion", "other.io/v1"}, {"kind", "RunnelCluster"}, {"name", "foreign"},
                   {"controller", true}},
                  {{"apiVersion", "runnel.dev/v1alpha1"}, {"kind", "RunnelCluster"},
                   {"name", "mine"}, {"controller", true}}}}}}};
  auto keys = r.map_secondary(types::kPod, pod);
  ASSERT_EQ(keys.size(), 1u);
  EXPECT_EQ(keys[0], (ObjectKey{"ns", "mine"}));
  EXPECT_TRUE(r.map_secondary(types::kPod, Json::object()).empty());
  EXPECT_TRUE(r.map_secondary(types::kPod, {{"metadata", {{"name", "x"}}}}).empty());
}

TEST(ObjectStore, NamespacedListAndReplace) {
  ObjectStore s;
  auto obj = [](std::string ns, std::string name, std::string rv) {
    return Json{{"metadata", {{"namespace", ns}, {"name", name}, {"resourceVersion", rv}}}};
  };
  EXPECT_FALSE(s.upsert(obj("a", "x", "1")));
  EXPECT_FALSE(s.upsert(obj("ab", "y", "2")));
  auto old = s.upsert(obj("a", "x", "3"));
  ASSERT_TRUE(old);
  EXPECT_EQ((*old)["metadata"]["resourceVersion"], "1");
  EXPECT_EQ(s.list("a").size(), 1u);  // "ab" is not in namespace "a"
  EXPECT_EQ(s.list("").size(), 2u);
  auto gone = s.replace_all({obj("b", "z", "4")});
  EXPECT_EQ(gone.size(), 2u);
  EXPECT_TRUE(s.get("b", "z"));
  EXPECT_FALSE(s.get("a", "x"));
  ObjectStore other;
  other.upsert(obj("c", "w", "5"));
  MultiStore multi({&s, &other});
  EXPECT_EQ(multi.list("").size(), 2u);
  EXPECT_TRUE(multi.get("c", "w"));
}

}  // namespace
}  // namespace runnel::kube
