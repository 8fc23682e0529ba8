#pragma once

#include <span>
#include <string_view>

#include "broker/config/config_def.h"

namespace runnel::config {

// The one table of every broker property Runnel understands: Kafka's names, types, defaults
// (Kafka 4.0's, except log.dir which defaults to ./data and process.roles which defaults to
// broker,controller), validators, importance and dynamic-update mode. Runnel's own properties
// start with "runnel.". Order is the order of docs/configuration.md.
std::span<const ConfigDef> broker_config_defs();

// nullptr if `name` is not a broker property we know.
const ConfigDef* find_broker_config_def(std::string_view name);

// Alternative spellings accepted in server.properties and resolved to the canonical name
// (e.g. "admin.listeners" -> "runnel.admin.listeners"). Returns `name` when it is no alias.
std::string_view canonical_broker_config_name(std::string_view name);

}  // namespace runnel::config
