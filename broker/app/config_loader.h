#pragma once

// The broker's configuration from a properties file and --override pairs, as `runnel-broker`
// and its `format`/`info` commands read it.

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "broker/config/broker_config.h"
#include "broker/model/result.h"

namespace runnel::app {

// Warnings (unknown keys and the like) are appended to `warnings`.
Result<config::BrokerConfig, std::string> load_broker_config(
    const std::optional<std::string>& path, const std::vector<std::pair<std::string, std::string>>& overrides,
    std::vector<std::string>& warnings);

}  // namespace runnel::app
