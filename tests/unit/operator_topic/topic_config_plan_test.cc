// The pure parts: config diff, managed-key annotation, bootstrap address choice.
#include <gtest/gtest.h>

#include "operator/controllers/topic_cluster_link.h"
#include "operator/controllers/topic_config_plan.h"
#include "tests/unit/operator_topic/topic_objects.h"

namespace runnel::controllers {
namespace {

using operator_admin::AlterOp;
using operator_admin::ConfigAlteration;
using operator_admin::ConfigEntry;
using operator_admin::ConfigSource;

TEST(TopicConfigPlan, ManagedKeysRoundTrip) {
  EXPECT_TRUE(parse_managed_keys({}).empty());
  KeySet keys = parse_managed_keys({{kManagedConfigKeysAnnotation, " retention.ms,,cleanup.policy "}});
  EXPECT_EQ(keys, (KeySet{"cleanup.policy", "retention.ms"}));
  EXPECT_EQ(format_managed_keys(keys), "cleanup.policy,retention.ms");
  EXPECT_EQ(format_managed_keys({}), "");
}

TEST(TopicConfigPlan, SetsDifferingOrInheritedAndDeletesDroppedOverrides) {
  std::vector<ConfigEntry> current = {
      {"cleanup.policy", "delete", ConfigSource::default_config},  // equal, but inherited: pin it
      {"retention.ms", "1000", ConfigSource::dynamic_topic},       // equal override: nothing
      {"segment.bytes", "5", ConfigSource::dynamic_topic},         // differs
      {"max.message.bytes", "9", ConfigSource::dynamic_topic},     // dropped from spec, was ours
      {"flush.ms", "7", ConfigSource::dynamic_topic},              // someone else's
      {"min.insync.replicas", "1", ConfigSource::default_config},  // dropped, but not an override
  };
  auto ops = plan_config_changes(
      {{"cleanup.policy", "delete"}, {"retention.ms", "1000"}, {"segment.bytes", "6"}, {"new.key", "x"}},
      {"retention.ms", "max.message.bytes", "min.insync.replicas"}, current);
  std::vector<ConfigAlteration> want = {
      {"cleanup.policy", AlterOp::set, "delete"},
      {"max.message.bytes", AlterOp::remove, std::nullopt},
      {"new.key", AlterOp::set, "x"},
      {"segment.bytes", AlterOp::set, "6"},
  };
  EXPECT_EQ(ops, want);
}

TEST(TopicConfigPlan, ObservedConfigReportsDesiredKeysOnly) {
  std::vector<ConfigEntry> current = {{"a", "1", ConfigSource::dynamic_topic},
                                      {"b", "2", ConfigSource::default_config},
                                      {"secret", std::nullopt, ConfigSource::dynamic_topic}};
  EXPECT_EQ(observed_config({{"a", "1"}, {"secret", "x"}, {"missing", "y"}}, current),
            (api::StringMap{{"a", "1"}}));
}

TEST(TopicClusterLink, ReadyBrokersFirstThenOthersThenService) {
  kube::Json cluster = testing::cluster_object(
      "demo", {{"10.0.0.1:9092", false}, {"10.0.0.2:9092", true}, {"", true}});
  EXPECT_EQ(bootstrap_addresses(cluster),
            (std::vector<std::string>{"10.0.0.2:9092", "10.0.0.1:9092", "demo-bootstrap.ns.svc:9092"}));
  EXPECT_TRUE(bootstrap_addresses(kube::Json{{"metadata", {{"name", "x"}}}}).empty());
}

TEST(TopicClusterLink, FactoryWithoutAddressesFailsAsTransport) {
  auto factory = make_admin_factory(std::chrono::milliseconds(200));
  auto c = factory(kube::Json{{"status", kube::Json::object()}});
  ASSERT_FALSE(c.ok());
  EXPECT_TRUE(c.error().is_transport());
}

}  // namespace
}  // namespace runnel::controllers
