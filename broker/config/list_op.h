#pragma once

// IncrementalAlterConfigs' APPEND and SUBTRACT on a LIST config, as Kafka's
// ConfigurationControlManager does them: the list the resource holds now (its own value, else the
// config's own default, not an inherited one), without empty elements; APPEND adds each given
// value not present yet, SUBTRACT removes each given value present. Topic configs and broker
// configs alike (each by its own definitions). Pure; the legacy single-node controller and the
// metadata quorum's decisions share it.

#include <optional>
#include <string>

namespace runnel::config {

// The new value of topic config `name` after APPEND (append=true) or SUBTRACT of the
// comma-separated `values`, given its current override (nullopt: not overridden). nullopt when
// `name` is not a LIST topic config (Kafka: "Can't APPEND to key X because its type is not LIST.").
std::optional<std::string> apply_list_op(const std::string& name, const std::optional<std::string>& current,
                                         const std::string& values, bool append);
// The same for broker config `name` (a broker's or the cluster-wide dynamic value).
std::optional<std::string> apply_broker_list_op(const std::string& name, const std::optional<std::string>& current,
                                                const std::string& values, bool append);

}  // namespace runnel::config
