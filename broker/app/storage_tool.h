#pragma once

// `runnel-broker format | info | random-uuid`: Kafka's kafka-storage tool, with its options and
// rules, so a Kafka administrator's runbook works unchanged:
//
//   runnel-broker random-uuid
//   runnel-broker format -t <cluster id> -c server.properties [--standalone |
//                        --initial-controllers id@host:port:dirId,... | --no-initial-controllers]
//                        [--ignore-formatted]
//   runnel-broker info -c server.properties
//
// format writes meta.properties (meta_properties.h) into every log directory and the metadata
// log directory and, for a dynamic quorum (--standalone / --initial-controllers), the initial
// voter set the quorum bootstraps from (cluster/bootstrap_voters.h). The rules follow Kafka's
// Formatter: the cluster id must be a Kafka Uuid; a formatted directory is an error unless
// --ignore-formatted; static voters (controller.quorum.voters) exclude --standalone and
// --initial-controllers; a controller without static voters must say which of the three.
//
// The decision (plan_format) is pure and unit-tested; run_storage_command does the I/O.

#include <cstdio>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "broker/config/broker_config.h"
#include "broker/config/quorum_voters.h"
#include "broker/model/result.h"
#include "broker/model/uuid.h"

namespace runnel::app {

struct StorageCommand {
  enum class Kind { format, info, random_uuid };
  Kind kind = Kind::format;
  std::optional<std::string> config_path;
  std::vector<std::pair<std::string, std::string>> overrides;
  std::string cluster_id;
  bool ignore_formatted = false;
  bool standalone = false;
  bool no_initial_controllers = false;
  std::optional<std::string> initial_controllers;
};

// True when argv[1] names a storage command (main() then hands over).
bool is_storage_command(std::string_view word);
// `args` starts with the command word.
Result<StorageCommand, std::string> parse_storage_command(std::span<const std::string_view> args);

struct FormatPlan {
  struct Dir {
    std::string path;
    Uuid directory_id;
  };
  std::vector<Dir> dirs;                          // to format, in order
  std::vector<std::string> skipped;               // already formatted (--ignore-formatted)
  std::vector<config::QuorumVoter> bootstrap_voters;  // empty: static quorum or none given
  std::string metadata_dir;                       // where bootstrap voters go
};

// `formatted[i]` says whether directory i of `dirs_of(cfg)` already has meta.properties.
Result<FormatPlan, std::string> plan_format(const config::BrokerConfig& cfg, const StorageCommand& cmd,
                                            const std::vector<bool>& formatted);
// The log directories and the metadata log directory, each once, in that order.
std::vector<std::string> dirs_of(const config::BrokerConfig& cfg);

// Runs the command; messages go to `out`/`err`. Returns the process exit status.
int run_storage_command(const StorageCommand& cmd, std::FILE* out, std::FILE* err);

}  // namespace runnel::app
