#include "broker/metadata/config_decisions.h"

#include <charconv>

#include "broker/config/describe.h"
#include "broker/config/list_op.h"
#include "broker/metadata/layered_config.h"

namespace runnel::metadata {

namespace {

const ConfigMap kNone;

// The configs the resource has now.
const ConfigMap& current(const Image& image, const ConfigResourceChange& c) {
  if (c.type == ConfigResourceType::topic) {
    const ConfigMap* m = image.topic_configs(c.name);
    return m ? *m : kNone;
  }
  if (c.name.empty()) return image.configs().cluster_default;
  int32_t id = -1;
  std::from_chars(c.name.data(), c.name.data() + c.name.size(), id);
  auto it = image.configs().brokers.find(NodeId(id));
  return it == image.configs().brokers.end() ? kNone : it->second;
}

Answer<ConfigMap> patched(const ConfigMap& now, const ConfigResourceChange& c, bool incremental) {
  ConfigMap next = incremental ? now : ConfigMap{};
  for (const ConfigOp& op : c.ops) {
    switch (op.type) {
      case ConfigOp::Type::set: next[op.name] = op.value; break;
      case ConfigOp::Type::remove: next.erase(op.name); break;
      case ConfigOp::Type::append:
      case ConfigOp::Type::subtract: {
        const bool append = op.type == ConfigOp::Type::append;
        std::optional<std::string> value;
        if (auto it = next.find(op.name); it != next.end()) value = it->second;
        auto joined = c.type == ConfigResourceType::topic ? config::apply_list_op(op.name, value, op.value, append)
                                                          : config::apply_broker_list_op(op.name, value, op.value, append);
        if (!joined) {
          return refuse(ErrorCode::invalid_config, std::string("Can't ") + (append ? "APPEND" : "SUBTRACT") +
                                                       " to key " + op.name + " because its type is not LIST.");
        }
        next[op.name] = *joined;
        break;
      }
    }
  }
  return next;
}

ErrorCode kafka_code(config::ConfigErrc e) {
  return e == config::ConfigErrc::not_updatable ? ErrorCode::invalid_request : ErrorCode::invalid_config;
}

Answer<void> check_topic(const Image& image, const config::BrokerConfig& config, const std::string& topic,
                         const ConfigMap& next) {
  config::RawConfigs overrides(next.begin(), next.end());
  if (auto valid = config::validate_topic_overrides(with_cluster_defaults(image, config), overrides); !valid) {
    return refuse(ErrorCode::invalid_config, valid.error().message);
  }
  if (image.topic(topic) == nullptr) {
    return refuse(ErrorCode::unknown_topic_or_partition, "The topic '" + topic + "' does not exist.");
  }
  return {};
}

Answer<void> check_broker(const std::string& broker, const ConfigMap& now, const ConfigMap& next) {
  if (!broker.empty()) {
    int32_t id = -1;
    auto [ptr, ec] = std::from_chars(broker.data(), broker.data() + broker.size(), id);
    if (ec != std::errc{} || ptr != broker.data() + broker.size() || id < 0) {
      return refuse(ErrorCode::invalid_request, "Invalid broker name " + broker);
    }
  }
  for (const auto& [name, value] : next) {
    if (auto it = now.find(name); it != now.end() && it->second == value) continue;
    if (auto valid = config::validate_broker_config_update(name, value, broker.empty()); !valid) {
      return refuse(kafka_code(valid.error().code), valid.error().message);
    }
  }
  return {};
}

// The ConfigRecords that turn `now` into `next`.
void diff(const ConfigResourceChange& c, const ConfigMap& now, const ConfigMap& next, std::vector<Record>& out) {
  for (const auto& [name, value] : now) {
    if (!next.contains(name)) out.emplace_back(ConfigRecord{c.type, c.name, name, std::nullopt});
  }
  for (const auto& [name, value] : next) {
    auto it = now.find(name);
    if (it == now.end() || it->second != value) out.emplace_back(ConfigRecord{c.type, c.name, name, value});
  }
}

}  // namespace

ConfigDecisions alter_configs(const Image& image, const config::BrokerConfig& config,
                              std::span<const ConfigResourceChange> changes, bool incremental, bool validate_only) {
  ConfigDecisions out;
  for (const ConfigResourceChange& c : changes) {
    const ConfigMap& now = current(image, c);
    auto next = patched(now, c, incremental);
    if (!next) {
      out.answers.push_back(Unexpected(std::move(next).error()));
      continue;
    }
    Answer<void> checked = c.type == ConfigResourceType::topic ? check_topic(image, config, c.name, *next)
                                                               : check_broker(c.name, now, *next);
    if (checked && !validate_only) diff(c, now, *next, out.records);
    out.answers.push_back(std::move(checked));
  }
  return out;
}

}  // namespace runnel::metadata
