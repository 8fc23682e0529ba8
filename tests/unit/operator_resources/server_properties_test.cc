#include "operator/resources/server_properties.h"

#include <gtest/gtest.h>

#include "tests/unit/operator_resources/fixture.h"

namespace runnel::resources {
namespace {

using testing::cluster;

TEST(ServerProperties, DefaultsAndSortedKeys) {
  std::string text = render_server_properties(cluster());
  EXPECT_NE(text.find("log.dirs=/var/lib/runnel/data\n"), std::string::npos);
  EXPECT_NE(text.find("default.replication.factor=1\n"), std::string::npos);
  EXPECT_LT(text.find("default.replication.factor"), text.find("log.dirs"));
  EXPECT_LT(text.find("log.dirs"), text.find("offsets.topic.replication.factor"));
  EXPECT_EQ(text.find("\nnode.id="), std::string::npos);  // per pod, via --override
}

TEST(ServerProperties, InternalReplicationFactorCapped) {
  auto props = effective_properties(cluster(1));
  EXPECT_EQ(props.at("offsets.topic.replication.factor"), "1");
  EXPECT_EQ(props.at("transaction.state.log.replication.factor"), "1");
  EXPECT_EQ(props.at("transaction.state.log.min.isr"), "1");
  // Never above replicas or the operator's cap, whatever the cluster size.
  for (int replicas : {1, 2, 3, 5}) {
    int rf = std::stoi(effective_properties(cluster(replicas)).at("offsets.topic.replication.factor"));
    EXPECT_LE(rf, replicas);
    EXPECT_LE(rf, kMaxDefaultReplicationFactor);
  }
}

TEST(ServerProperties, UserConfigWins) {
  auto c = cluster();
  c.spec.config = {{"log.retention.ms", "1000"}, {"offsets.topic.replication.factor", "2"}};
  auto props = effective_properties(c);
  EXPECT_EQ(props.at("log.retention.ms"), "1000");
  EXPECT_EQ(props.at("offsets.topic.replication.factor"), "2");
  EXPECT_EQ(props.at("log.dirs"), "/var/lib/runnel/data");
}

TEST(ServerProperties, RenderStableAndHashTracksConfig) {
  auto a = cluster();
  a.spec.config = {{"b.key", "2"}, {"a.key", "1"}};
  auto b = cluster();
  b.spec.config = {{"a.key", "1"}, {"b.key", "2"}};
  EXPECT_EQ(render_server_properties(a), render_server_properties(b));
  std::string h = config_hash(render_server_properties(a));
  EXPECT_EQ(h.size(), 16u);
  EXPECT_EQ(h, config_hash(render_server_properties(b)));
  b.spec.config["a.key"] = "3";
  EXPECT_NE(h, config_hash(render_server_properties(b)));
  // Things outside the broker config do not change the hash (no restart for them).
  auto c = a;
  c.spec.image = "runnel:other";
  c.spec.pod.labels["x"] = "y";
  EXPECT_EQ(h, config_hash(render_server_properties(c)));
}

TEST(ServerProperties, KnownHash) {
  // FNV-1a 64 test vectors.
  EXPECT_EQ(config_hash(""), "cbf29ce484222325");
  EXPECT_EQ(config_hash("a"), "af63dc4c8601ec8c");
}

TEST(ServerProperties, Escaping) {
  EXPECT_EQ(escape_property_key("a=b:c d#"), "a\\=b\\:c\\ d\\#");
  EXPECT_EQ(escape_property_value(" x\\y\nz=w"), "\\ x\\\\y\\nz=w");
  auto c = cluster();
  c.spec.config = {{"sasl.jaas.config", "line1\nline2"}};
  EXPECT_NE(render_server_properties(c).find("sasl.jaas.config=line1\\nline2\n"), std::string::npos);
}

}  // namespace
}  // namespace runnel::resources
