// The C++ defaults repeat the CRD's (so objects that skipped API-server defaulting behave the same);
// these tests fail when the two drift apart.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "operator/api/runnel_cluster.h"

namespace runnel::api {
namespace {

std::string read(const std::string& name) {
  std::ifstream in(std::string(RUNNEL_CRD_DIR) + "/" + name);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(CrdDefaults, ClusterDefaultsMatchHeader) {
  std::string crd = read("runnelclusters.runnel.dev.yaml");
  ASSERT_FALSE(crd.empty());
  EXPECT_NE(crd.find(std::string("default: ") + kDefaultImage), std::string::npos);
  EXPECT_NE(crd.find("default: " + std::to_string(kDefaultReplicas)), std::string::npos);
  EXPECT_NE(crd.find("default: " + std::to_string(kDefaultTerminationGracePeriodSeconds)),
            std::string::npos);
  EXPECT_NE(crd.find("default: " + StorageSpec{}.size), std::string::npos);
  EXPECT_NE(crd.find("specReplicasPath: .spec.replicas"), std::string::npos);
}

TEST(CrdDefaults, TopicCrdNamesKind) {
  std::string crd = read("runneltopics.runnel.dev.yaml");
  ASSERT_FALSE(crd.empty());
  EXPECT_NE(crd.find("kind: RunnelTopic"), std::string::npos);
  EXPECT_NE(crd.find("required: [clusterRef]"), std::string::npos);
}

}  // namespace
}  // namespace runnel::api
