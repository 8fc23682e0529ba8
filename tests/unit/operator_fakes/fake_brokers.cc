#include "tests/unit/operator_fakes/fake_brokers.h"

#include <memory>

namespace runnel::operator_fakes {
namespace {

using namespace operator_admin;

class FakeAdmin final : public AdminClient {
 public:
  explicit FakeAdmin(FakeBrokers& b) : b_(b) {}

  Outcome<std::vector<TopicDescription>> describe_topics(const std::vector<std::string>& names) override {
    std::vector<TopicDescription> out;
    for (const auto& n : names) {
      b_.calls.push_back("describe_topics " + n);
      if (auto e = gate()) return *e;
      out.push_back(describe(n));
    }
    return out;
  }
  Outcome<std::vector<TopicDescription>> list_topics() override {
    b_.calls.push_back("list_topics");
    if (auto e = gate()) return *e;
    std::vector<TopicDescription> out;
    for (const auto& [n, t] : b_.topics) out.push_back(describe(n));
    return out;
  }
  Outcome<TopicDescription> create_topic(const std::string& name, int32_t partitions, int16_t rf,
                                         const std::map<std::string, std::string>& configs) override {
    b_.calls.push_back("create_topic " + name + " " + std::to_string(partitions));
    if (auto e = gate()) return *e;
    if (b_.fail_create) return *b_.fail_create;
    if (b_.topics.count(name)) return AdminError::kafka(ErrorCode::topic_already_exists, "exists");
    auto& t = b_.topics[name];
    t.partitions = partitions;
    t.replication_factor = rf;
    t.id = Uuid::random();
    t.overrides = configs;
    return describe(name);
  }
  Status create_partitions(const std::string& name, int32_t total) override {
    b_.calls.push_back("create_partitions " + name + " " + std::to_string(total));
    if (auto e = gate()) return *e;
    auto it = b_.topics.find(name);
    if (it == b_.topics.end()) return AdminError::kafka(ErrorCode::unknown_topic_or_partition, "");
    if (total <= it->second.partitions) return AdminError::kafka(ErrorCode::invalid_partitions, "no shrinking");
    it->second.partitions = total;
    return Done{};
  }
  Outcome<std::vector<ConfigEntry>> describe_configs(const std::string& topic) override {
    b_.calls.push_back("describe_configs " + topic);
    if (auto e = gate()) return *e;
    if (b_.fail_describe) return *b_.fail_describe;
    auto it = b_.topics.find(topic);
    if (it == b_.topics.end()) return AdminError::kafka(ErrorCode::unknown_topic_or_partition, "");
    std::map<std::string, ConfigEntry> all;
    for (const auto& [k, v] : b_.defaults) all[k] = ConfigEntry{k, v, ConfigSource::default_config};
    for (const auto& [k, v] : it->second.overrides) all[k] = ConfigEntry{k, v, ConfigSource::dynamic_topic};
    std::vector<ConfigEntry> out;
    for (auto& [k, e] : all) out.push_back(e);
    return out;
  }
  Status incremental_alter_configs(const std::string& topic, const std::vector<ConfigAlteration>& ops) override {
    std::string text = "alter " + topic;
    for (const auto& op : ops) {
      text += op.op == AlterOp::remove ? " -" + op.name : " " + op.name + "=" + op.value.value_or("");
    }
    b_.calls.push_back(text);
    if (auto e = gate()) return *e;
    if (b_.fail_alter) return *b_.fail_alter;
    auto it = b_.topics.find(topic);
    if (it == b_.topics.end()) return AdminError::kafka(ErrorCode::unknown_topic_or_partition, "");
    for (const auto& op : ops) {
      if (op.op == AlterOp::remove) it->second.overrides.erase(op.name);
      else it->second.overrides[op.name] = op.value.value_or("");
    }
    return Done{};
  }
  Outcome<std::vector<TopicResult>> delete_topics(const std::vector<std::string>& names) override {
    std::vector<TopicResult> out;
    for (const auto& n : names) {
      b_.calls.push_back("delete_topics " + n);
      if (auto e = gate()) return *e;
      if (b_.fail_delete) {
        out.push_back({n, b_.fail_delete->code, b_.fail_delete->message});
        continue;
      }
      const bool existed = b_.topics.erase(n) > 0;
      out.push_back({n, existed ? ErrorCode::none : ErrorCode::unknown_topic_or_partition, ""});
    }
    return out;
  }

 private:
  std::optional<AdminError> gate() const {
    if (!b_.reachable) return AdminError::transport("connection reset");
    return std::nullopt;
  }
  TopicDescription describe(const std::string& name) const {
    TopicDescription d;
    d.name = name;
    auto it = b_.topics.find(name);
    if (it == b_.topics.end()) {
      d.error = ErrorCode::unknown_topic_or_partition;
      return d;
    }
    d.partitions = it->second.partitions;
    d.replication_factor = it->second.replication_factor;
    d.topic_id = it->second.id;
    return d;
  }

  FakeBrokers& b_;
};

}  // namespace

void FakeBrokers::add_topic(const std::string& name, int32_t partitions, std::map<std::string, std::string> overrides) {
  auto& t = topics[name];
  t.partitions = partitions;
  t.id = Uuid::random();
  t.overrides = std::move(overrides);
}

bool FakeBrokers::called(const std::string& prefix) const { return count(prefix) > 0; }

size_t FakeBrokers::count(const std::string& prefix) const {
  size_t n = 0;
  for (const auto& c : calls) n += c.rfind(prefix, 0) == 0 ? 1 : 0;
  return n;
}

controllers::AdminFactory fake_admin_factory(FakeBrokers& brokers) {
  return [&brokers](const kube::Json&) -> operator_admin::Outcome<controllers::AdminClientPtr> {
    brokers.calls.push_back("connect");
    if (!brokers.reachable) return AdminError::transport("connect 10.0.0.1:9092: Connection refused");
    return controllers::AdminClientPtr(std::make_unique<FakeAdmin>(brokers));
  };
}

}  // namespace runnel::operator_fakes
