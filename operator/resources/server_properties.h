#pragma once
// The broker's server.properties, rendered from a RunnelCluster, and its hash.
//
// spec.config is merged over the operator's defaults (user values win) and keys are written sorted,
// so the same spec always renders the same bytes; the hash of those bytes goes into the pod
// template (runnel.dev/config-hash) and a change of it is what starts a rolling restart.
// Per-pod settings (node.id, listeners) are not here: they are --override arguments built from the
// pod's own ordinal and IP, so one ConfigMap serves every broker.

#include <map>
#include <string>

#include "operator/api/runnel_cluster.h"

namespace runnel::resources {

// Highest replication factor the operator picks for internal topics by default. Each Runnel broker
// is its own single-node cluster until inter-broker replication lands, so a factor above 1 would
// make __consumer_offsets impossible to create; raise this to 3 then (Kafka's default).
inline constexpr int kMaxDefaultReplicationFactor = 1;

// Operator defaults merged with spec.config; spec.config wins key by key.
std::map<std::string, std::string> effective_properties(const api::RunnelCluster& c);

// The file text: a fixed header comment, then `key=value` lines in key order, escaped as
// java.util.Properties.load expects.
std::string render_server_properties(const api::RunnelCluster& c);

// Lower-case hex FNV-1a 64 of `text` (16 characters). Not cryptographic: it only detects change.
std::string config_hash(const std::string& text);

// Java .properties escaping (exposed for tests).
std::string escape_property_key(const std::string& key);
std::string escape_property_value(const std::string& value);

}  // namespace runnel::resources
