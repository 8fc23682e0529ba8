#pragma once
// Which topic configs the controller changes, as pure functions (unit-tested without brokers).
//
// A RunnelTopic manages only the keys it lists in spec.config. Keys set on the topic by anyone
// else (kafka-configs.sh, another tool) are never touched. To know which keys to DELETE when the
// user removes one from spec.config, the keys the resource managed are remembered in the
// annotation `runnel.dev/managed-config-keys` (comma-separated, sorted). The controller writes
// the union of old and new keys BEFORE changing the brokers, and shrinks it to the new keys only
// after the change succeeded, so a crash in between can never leave a key nobody manages.

#include <set>
#include <string>
#include <vector>

#include "operator/admin/admin_client.h"
#include "operator/api/object_meta.h"

namespace runnel::controllers {

inline constexpr const char* kManagedConfigKeysAnnotation = "runnel.dev/managed-config-keys";

using KeySet = std::set<std::string>;

KeySet parse_managed_keys(const api::StringMap& annotations);
std::string format_managed_keys(const KeySet& keys);
KeySet keys_of(const api::StringMap& config);

// SET every desired key whose value in the brokers differs or is not a topic override (so the
// value is pinned even when it equals today's default); DELETE every previously managed key that
// is no longer desired and is still a topic override. Sorted by key, SETs and DELETEs mixed.
std::vector<operator_admin::ConfigAlteration> plan_config_changes(
    const api::StringMap& desired, const KeySet& managed_before,
    const std::vector<operator_admin::ConfigEntry>& current);

// The brokers' values of the desired keys (for status.config); keys the brokers do not report
// are left out.
api::StringMap observed_config(const api::StringMap& desired,
                               const std::vector<operator_admin::ConfigEntry>& current);

}  // namespace runnel::controllers
