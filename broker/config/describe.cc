#include "broker/config/describe.h"

#include "broker/config/broker_config_defs.h"
#include "broker/config/topic_config_defs.h"

namespace runnel::config {

namespace {

// Broker properties that are one setting under several names, highest precedence first
// (Kafka's DynamicBrokerConfig.brokerConfigSynonyms).
std::vector<std::string_view> broker_family(std::string_view name) {
  static const std::vector<std::vector<std::string_view>> families = {
      {"log.roll.ms", "log.roll.hours"},
      {"log.roll.jitter.ms", "log.roll.jitter.hours"},
      {"log.flush.interval.ms", "log.flush.scheduler.interval.ms"},
      {"log.retention.ms", "log.retention.minutes", "log.retention.hours"},
  };
  for (const auto& family : families) {
    // log.flush.scheduler.interval.ms is only a fallback of log.flush.interval.ms, not a family head.
    if (family.front() == name) return family;
    if (family.front() != "log.flush.interval.ms") {
      for (std::string_view member : family) {
        if (member == name) return family;
      }
    }
  }
  return {name};
}

const std::string* find_raw(const RawConfigs& m, std::string_view name) {
  auto it = m.find(name);
  return it == m.end() ? nullptr : &it->second;
}

// The layers one broker property is set in, highest precedence first, ending with its default.
void append_broker_synonyms(std::string_view name, const BrokerLayers& layers, std::vector<ConfigSynonym>& out) {
  const ConfigDef* def = find_broker_config_def(name);
  if (def == nullptr) return;
  if (const std::string* v = find_raw(layers.dynamic_broker, name)) {
    out.push_back({std::string(name), *v, ConfigSource::dynamic_broker});
  }
  if (const std::string* v = find_raw(layers.dynamic_default, name)) {
    out.push_back({std::string(name), *v, ConfigSource::dynamic_default_broker});
  }
  if (const std::string* v = find_raw(layers.static_file, name)) {
    out.push_back({std::string(name), *v, ConfigSource::static_broker});
  }
  if (def->default_value) {
    out.push_back({std::string(name), std::string(*def->default_value), ConfigSource::default_config});
  }
}

// A raw value shown the way Kafka shows parsed values (trimmed, lists joined with ',').
std::optional<std::string> normalised(const ConfigDef& def, const std::string& raw) {
  Result<ConfigValue> parsed = parse_value(def, raw);
  if (!parsed.has_value()) return raw;
  return to_string(parsed.value());
}

}  // namespace

std::vector<DescribedConfig> describe_broker_configs(const BrokerConfig& broker) {
  std::vector<DescribedConfig> out;
  for (const ConfigDef& def : broker_config_defs()) {
    DescribedConfig d;
    d.name = std::string(def.name);
    d.type = def.type;
    d.read_only = def.update_mode == UpdateMode::read_only;
    d.is_sensitive = def.type == ConfigType::password;
    d.documentation = std::string(def.doc);
    if (const std::string* b = find_raw(broker.layers.dynamic_broker, def.name)) {
      d.value = normalised(def, *b);
      d.source = ConfigSource::dynamic_broker;
    } else if (const std::string* v = find_raw(broker.layers.dynamic_default, def.name)) {
      d.value = normalised(def, *v);
      d.source = ConfigSource::dynamic_default_broker;
    } else if (const std::string* s = find_raw(broker.layers.static_file, def.name)) {
      d.value = normalised(def, *s);
      d.source = ConfigSource::static_broker;
    } else {
      d.value = to_string(default_value(def));
      d.source = ConfigSource::default_config;
    }
    for (std::string_view member : broker_family(def.name)) append_broker_synonyms(member, broker.layers, d.synonyms);
    if (d.is_sensitive) {
      d.value.reset();
      for (ConfigSynonym& s : d.synonyms) s.value.reset();
    }
    out.push_back(std::move(d));
  }
  return out;
}

std::vector<DescribedConfig> describe_topic_configs(const BrokerConfig& broker, const RawConfigs& overrides) {
  std::vector<DescribedConfig> out;
  for (const TopicConfigDef& t : topic_config_defs()) {
    DescribedConfig d;
    d.name = std::string(t.def.name);
    d.type = t.def.type;
    d.read_only = false;
    d.documentation = std::string(t.def.doc);
    if (const std::string* own = find_raw(overrides, t.def.name)) {
      d.value = normalised(t.def, *own);
      d.source = ConfigSource::topic;
      d.synonyms.push_back({d.name, *own, ConfigSource::topic});
    } else {
      InheritedValue inherited = inherited_value(t, broker.layers);
      d.value = inherited.value;
      d.source = inherited.source;
    }
    for (const BrokerSynonym& syn : t.synonyms) append_broker_synonyms(syn.name, broker.layers, d.synonyms);
    out.push_back(std::move(d));
  }
  return out;
}

Validation validate_broker_config_update(std::string_view name, std::string_view value, bool cluster_default) {
  const ConfigDef* def = find_broker_config_def(canonical_broker_config_name(name));
  if (def == nullptr) return {};
  if (def->update_mode == UpdateMode::read_only) {
    return Unexpected(ConfigError{ConfigErrc::not_updatable,
                                  "Cannot update these configs dynamically: Set(" + std::string(name) + ")"});
  }
  if (cluster_default && def->update_mode == UpdateMode::per_broker) {
    return Unexpected(ConfigError{
        ConfigErrc::not_updatable,
        "Cannot update these configs at default cluster level, broker id must be specified: Set(" +
            std::string(name) + ")"});
  }
  Result<ConfigValue> parsed = parse_value(*def, value);
  if (!parsed.has_value()) return Unexpected(ConfigError{ConfigErrc::invalid_value, parsed.error()});
  return {};
}

}  // namespace runnel::config
