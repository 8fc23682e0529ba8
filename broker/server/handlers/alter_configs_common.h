#pragma once

// What AlterConfigs (API 33) and IncrementalAlterConfigs (API 44) share: node-id checks for
// BROKER resources, the answer for broker updates Runnel cannot apply yet, and topic changes
// through the controller. Messages follow Kafka's ConfigAdminManager.
#include <optional>
#include <string>
#include <vector>

#include "broker/io/task.h"
#include "broker/model/error_code.h"
#include "broker/model/named_type.h"
#include "broker/server/controller.h"

namespace runnel::server {
class Shard;
}

namespace runnel::server::handlers {

struct AlterOutcome {
  ErrorCode error = ErrorCode::none;
  std::string message;
};

// Java's Integer.parseInt: optional sign, decimal digits, int range.
std::optional<NodeId> parse_node_id(const std::string& s);

// A BROKER resource names this node ("" is the cluster-wide default).
AlterOutcome check_broker_resource(const std::string& name, Shard& shard);

// After validation: validate_only (or nothing to change) succeeds; a real change is refused,
// since Runnel cannot apply broker configs at runtime yet.
AlterOutcome broker_update_result(bool validate_only, bool empty);
// The broker config change once validated: on a quorum node, recorded through the active
// controller (this handler runs there, the request having been forwarded); on a single node,
// broker_update_result's refusal.
io::Task<AlterOutcome> apply_broker_configs(Shard& shard, const std::string& name,
                                            std::vector<Controller::ConfigChange> changes, bool incremental,
                                            bool validate_only);

// Checks the topic name and applies `changes` through the controller on shard 0.
io::Task<AlterOutcome> alter_topic_configs(Shard& shard, const std::string& topic,
                                           std::vector<Controller::ConfigChange> changes, bool incremental,
                                           bool validate_only);

}  // namespace runnel::server::handlers
