#pragma once

// The broker configuration with the dynamic configs of the metadata log in its dynamic layers
// (config::BrokerLayers): what topic configs inherit from, and what topic overrides are
// validated against, now that those configs live in the log.

#include "broker/config/broker_config.h"
#include "broker/metadata/image.h"

namespace runnel::metadata {

// The cluster-wide dynamic defaults only: what the controller validates a topic's overrides
// against (the same on every controller, whichever broker the request came through).
inline config::BrokerConfig with_cluster_defaults(const Image& image, const config::BrokerConfig& config) {
  config::BrokerConfig layered = config;
  const ConfigMap& defaults = image.configs().cluster_default;
  layered.layers.dynamic_default = config::RawConfigs(defaults.begin(), defaults.end());
  return layered;
}

// What this broker (config.node_id) runs with: its own dynamic values over the cluster-wide
// defaults over its file, as Kafka's DynamicBrokerConfig layers them.
inline config::BrokerConfig with_dynamic_configs(const Image& image, const config::BrokerConfig& config) {
  config::BrokerConfig layered = with_cluster_defaults(image, config);
  const auto& brokers = image.configs().brokers;
  if (auto it = brokers.find(config.node_id); it != brokers.end()) {
    layered.layers.dynamic_broker = config::RawConfigs(it->second.begin(), it->second.end());
  }
  return layered;
}

}  // namespace runnel::metadata
