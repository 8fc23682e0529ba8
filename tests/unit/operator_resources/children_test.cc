#include "operator/resources/children.h"

#include <gtest/gtest.h>

#include "operator/resources/server_properties.h"
#include "tests/unit/operator_resources/fixture.h"

namespace runnel::resources {
namespace {

TEST(Children, OrderTypesAndHash) {
  auto c = testing::cluster();
  DesiredChildren d = build_children(c);
  ASSERT_EQ(d.objects.size(), 5u);
  EXPECT_EQ(d.objects[0].type, kube::types::kConfigMap);
  EXPECT_EQ(d.objects[1].type, kube::types::kService);
  EXPECT_EQ(d.objects[2].type, kube::types::kService);
  EXPECT_EQ(d.objects[3].type, kube::types::kStatefulSet);
  EXPECT_EQ(d.objects[4].type, kube::types::kPodDisruptionBudget);
  for (const auto& child : d.objects) {
    EXPECT_EQ(child.object["kind"], child.type.kind);
    EXPECT_EQ(child.object["apiVersion"], child.type.api_version());
    EXPECT_EQ(child.object["metadata"]["ownerReferences"][0]["uid"], "uid-123");
  }
  EXPECT_EQ(d.config_hash, config_hash(d.properties));
  EXPECT_EQ(d.objects[0].object["data"]["server.properties"], d.properties);
  EXPECT_EQ(d.objects[3].object["spec"]["template"]["metadata"]["annotations"]["runnel.dev/config-hash"],
            d.config_hash);
}

}  // namespace
}  // namespace runnel::resources
