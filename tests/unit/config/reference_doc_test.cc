#include "broker/config/reference_doc.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "broker/config/broker_config_defs.h"
#include "broker/config/topic_config_defs.h"

namespace runnel::config {
namespace {

const std::string kDocPath = std::string(RUNNEL_REPO_ROOT) + "/docs/configuration.md";

TEST(ConfigReference, ListsEveryProperty) {
  std::string md = render_configuration_reference();
  for (const ConfigDef& d : broker_config_defs()) {
    EXPECT_NE(md.find("| `" + std::string(d.name) + "` |"), std::string::npos) << d.name;
  }
  for (const TopicConfigDef& t : topic_config_defs()) {
    EXPECT_NE(md.find("| `" + std::string(t.def.name) + "` |"), std::string::npos) << t.def.name;
  }
}

// docs/configuration.md is generated; set RUNNEL_WRITE_CONFIG_DOC=1 to rewrite it.
TEST(ConfigReference, CheckedInDocIsUpToDate) {
  std::string expected = render_configuration_reference();
  if (std::getenv("RUNNEL_WRITE_CONFIG_DOC") != nullptr) {
    std::ofstream out(kDocPath, std::ios::binary | std::ios::trunc);
    ASSERT_TRUE(out.good()) << kDocPath;
    out << expected;
  }
  std::ifstream in(kDocPath, std::ios::binary);
  ASSERT_TRUE(in.good()) << "missing " << kDocPath;
  std::ostringstream actual;
  actual << in.rdbuf();
  EXPECT_EQ(actual.str(), expected) << kDocPath << " is stale; rerun with RUNNEL_WRITE_CONFIG_DOC=1";
}

}  // namespace
}  // namespace runnel::config
