#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "broker/admin/partition_view.h"
#include "broker/config/broker_config.h"
#include "broker/log/log.h"
#include "broker/metrics/broker_probe.h"

namespace runnel::admin {

// The read-only JSON documents of the /v1 API, built from the config (immutable) and from
// snapshots (never from live shard state). Pure functions: unit-tested without a server.

nlohmann::json broker_json(const config::BrokerConfig& config, const metrics::BrokerProbe& probe,
                           const std::string& version);
// Every broker property with its effective value and source; sensitive values are hidden.
nlohmann::json config_json(const config::BrokerConfig& config);
nlohmann::json topics_json(const PartitionView& view);
nlohmann::json groups_json(const std::vector<GroupView>& groups);
// The cluster as this node sees it: the metadata quorum (from shard 0's quorum snapshot), the
// active controller and the brokers. The brokers list holds this node only until the metadata
// image is wired in; the others will be added as entries of the same shape.
nlohmann::json cluster_json(const config::BrokerConfig& config, const metrics::BrokerProbe& probe);

std::optional<log::Level> parse_level(std::string_view name);  // debug, info, warn(ing), error
const char* level_name(log::Level level);

}  // namespace runnel::admin
