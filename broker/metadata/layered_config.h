#pragma once

// The broker configuration with the cluster-wide dynamic defaults of the image in its dynamic
// layer (config::BrokerLayers::dynamic_default): what topic configs inherit from, and what
// topic overrides are validated against, once those defaults live in the metadata log.

#include "broker/config/broker_config.h"
#include "broker/metadata/image.h"

namespace runnel::metadata {

inline config::BrokerConfig with_cluster_defaults(const Image& image, const config::BrokerConfig& config) {
  config::BrokerConfig layered = config;
  const ConfigMap& defaults = image.configs().cluster_default;
  layered.layers.dynamic_default = config::RawConfigs(defaults.begin(), defaults.end());
  return layered;
}

}  // namespace runnel::metadata
