#pragma once
// An in-memory "cluster" behind the AdminClient interface: topics with partitions and config
// overrides, Kafka's answers for the cases the controller cares about, injected failures, and a
// log of every call so tests can assert order and absence of calls.

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "operator/admin/admin_client.h"
#include "operator/controllers/topic_cluster_link.h"

namespace runnel::operator_fakes {

using operator_admin::AdminError;

struct FakeBrokers {
  struct Topic {
    int32_t partitions = 1;
    int16_t replication_factor = 1;
    Uuid id;
    std::map<std::string, std::string> overrides;  // DYNAMIC_TOPIC_CONFIG values
  };
  std::map<std::string, Topic> topics;
  std::map<std::string, std::string> defaults = {
      {"cleanup.policy", "delete"}, {"retention.ms", "604800000"}, {"segment.bytes", "1073741824"}};
  bool reachable = true;
  std::optional<AdminError> fail_create, fail_alter, fail_delete, fail_describe;
  std::vector<std::string> calls;  // "connect", "describe_topics x", "create_topic x 3", ...

  void add_topic(const std::string& name, int32_t partitions, std::map<std::string, std::string> overrides = {});
  bool called(const std::string& prefix) const;
  size_t count(const std::string& prefix) const;
};

// Connects to `brokers` (a transport error when !reachable), recording "connect".
controllers::AdminFactory fake_admin_factory(FakeBrokers& brokers);

}  // namespace runnel::operator_fakes
