#include "broker/app/storage_tool.h"

#include <algorithm>

#include "broker/app/config_loader.h"
#include "broker/cluster/bootstrap_voters.h"
#include "broker/cluster/meta_properties.h"

namespace runnel::app {
namespace {

using Parsed = Result<StorageCommand, std::string>;

// Kafka's option names, long and short.
bool is(std::string_view a, std::string_view long_name, std::string_view short_name) {
  return a == long_name || (!short_name.empty() && a == short_name);
}

// The controller listener this node would be reached on by the other voters.
std::optional<config::Endpoint> controller_endpoint(const config::BrokerConfig& cfg) {
  for (const std::string& name : cfg.controller_listener_names) {
    for (const config::Endpoint& e : cfg.listeners) {
      if (e.name == name) return e;
    }
  }
  return std::nullopt;
}

int format(const config::BrokerConfig& cfg, const StorageCommand& cmd, std::FILE* out, std::FILE* err) {
  const std::vector<std::string> dirs = dirs_of(cfg);
  std::vector<bool> formatted;
  for (const std::string& d : dirs) {
    auto meta = cluster::read_meta_properties(d);
    if (!meta) {
      std::fprintf(err, "%s\n", meta.error().c_str());
      return 1;
    }
    formatted.push_back(meta->has_value());
  }
  auto plan = plan_format(cfg, cmd, formatted);
  if (!plan) {
    std::fprintf(err, "%s\n", plan.error().c_str());
    return 1;
  }
  if (plan->dirs.empty()) {
    std::fprintf(out, "All of the log directories are already formatted.\n");
    return 0;
  }
  for (const FormatPlan::Dir& d : plan->dirs) {
    cluster::MetaProperties m{1, cmd.cluster_id, cfg.node_id, d.directory_id};
    if (auto written = cluster::write_meta_properties(d.path, m); !written) {
      std::fprintf(err, "%s\n", written.error().c_str());
      return 1;
    }
    std::fprintf(out, "Formatting %s for cluster %s (node %d).\n", d.path.c_str(), cmd.cluster_id.c_str(),
                 cfg.node_id.value());
  }
  if (!plan->bootstrap_voters.empty()) {
    if (auto written = cluster::write_bootstrap_voters(plan->metadata_dir, plan->bootstrap_voters); !written) {
      std::fprintf(err, "%s\n", written.error().c_str());
      return 1;
    }
    std::fprintf(out, "Initial controller quorum:");
    for (const config::QuorumVoter& v : plan->bootstrap_voters) std::fprintf(out, " %s", config::to_string(v).c_str());
    std::fprintf(out, "\n");
  }
  return 0;
}

int info(const config::BrokerConfig& cfg, std::FILE* out) {
  std::vector<std::string> problems;
  for (const std::string& d : dirs_of(cfg)) {
    auto meta = cluster::read_meta_properties(d);
    if (!meta) {
      problems.push_back(meta.error());
    } else if (!meta->has_value()) {
      problems.push_back(d + " is not formatted.");
    } else {
      std::fprintf(out, "Found log directory:\n  %s\n\nFound metadata: {cluster.id=%s, directory.id=%s, node.id=%d, version=%d}\n\n",
                   d.c_str(), (*meta)->cluster_id.c_str(), (*meta)->directory_id.to_base64().c_str(),
                   (*meta)->node_id.value(), (*meta)->version);
    }
  }
  if (problems.empty()) return 0;
  std::fprintf(out, "Found problem%s:\n", problems.size() == 1 ? "" : "s");
  for (const std::string& p : problems) std::fprintf(out, "  %s\n", p.c_str());
  return 1;
}

}  // namespace

bool is_storage_command(std::string_view word) {
  return word == "format" || word == "info" || word == "random-uuid";
}

Parsed parse_storage_command(std::span<const std::string_view> args) {
  StorageCommand c;
  if (args.empty() || !is_storage_command(args[0])) return Unexpected(std::string("expected format, info or random-uuid"));
  c.kind = args[0] == "format" ? StorageCommand::Kind::format
           : args[0] == "info" ? StorageCommand::Kind::info
                               : StorageCommand::Kind::random_uuid;
  for (size_t i = 1; i < args.size(); ++i) {
    const std::string_view a = args[i];
    auto value = [&](std::string& into) -> bool {
      if (i + 1 >= args.size()) return false;
      into = std::string(args[++i]);
      return true;
    };
    std::string v;
    if (is(a, "--config", "-c")) {
      if (!value(v)) return Unexpected("Option " + std::string(a) + " needs a value");
      c.config_path = v;
    } else if (a == "--override") {
      if (!value(v)) return Unexpected(std::string("Option --override needs key=value"));
      const size_t eq = v.find('=');
      if (eq == std::string::npos || eq == 0) return Unexpected("Option --override expects key=value, got '" + v + "'");
      c.overrides.emplace_back(v.substr(0, eq), v.substr(eq + 1));
    } else if (is(a, "--cluster-id", "-t")) {
      if (!value(c.cluster_id)) return Unexpected("Option " + std::string(a) + " needs a value");
    } else if (is(a, "--ignore-formatted", "-g")) {
      c.ignore_formatted = true;
    } else if (is(a, "--standalone", "-s")) {
      c.standalone = true;
    } else if (is(a, "--no-initial-controllers", "-N")) {
      c.no_initial_controllers = true;
    } else if (is(a, "--initial-controllers", "-I")) {
      if (!value(v)) return Unexpected("Option " + std::string(a) + " needs a value");
      c.initial_controllers = v;
    } else {
      return Unexpected("Unknown option '" + std::string(a) + "' for " + std::string(args[0]));
    }
  }
  if (c.kind != StorageCommand::Kind::random_uuid && !c.config_path) {
    return Unexpected("Option --config (-c) is required for " + std::string(args[0]));
  }
  if (c.kind == StorageCommand::Kind::format && c.cluster_id.empty()) {
    return Unexpected(std::string("Option --cluster-id (-t) is required for format (runnel-broker random-uuid makes one)"));
  }
  return c;
}

std::vector<std::string> dirs_of(const config::BrokerConfig& cfg) { return cfg.storage_dirs(); }

Result<FormatPlan, std::string> plan_format(const config::BrokerConfig& cfg, const StorageCommand& cmd,
                                            const std::vector<bool>& formatted) {
  if (!cluster::valid_cluster_id(cmd.cluster_id)) {
    return Unexpected("Cluster ID string " + cmd.cluster_id + " does not appear to be a valid UUID");
  }
  const int flags = int(cmd.standalone) + int(cmd.no_initial_controllers) + int(cmd.initial_controllers.has_value());
  if (flags > 1) {
    return Unexpected(std::string("Only one of --standalone, --initial-controllers and --no-initial-controllers may be given"));
  }
  const bool dynamic_voters = cmd.standalone || cmd.initial_controllers.has_value();
  if (dynamic_voters && !cfg.controller_quorum_voters.empty()) {
    return Unexpected(std::string(
        "You cannot specify controller.quorum.voters and format the node with --initial-controllers or --standalone. "
        "If you want to use dynamic quorum, please remove controller.quorum.voters and specify "
        "controller.quorum.bootstrap.servers instead."));
  }
  if (flags > 0 && !cfg.is_controller()) {
    return Unexpected(std::string(
        "--standalone, --initial-controllers and --no-initial-controllers are for nodes whose process.roles include "
        "controller"));
  }
  if (cfg.is_controller() && cfg.controller_quorum_voters.empty() && flags == 0) {
    return Unexpected(std::string(
        "Because controller.quorum.voters is not set on this controller, you must specify one of the following: "
        "--standalone, --initial-controllers, or --no-initial-controllers."));
  }

  FormatPlan plan;
  plan.metadata_dir = cfg.metadata_log_dir;
  std::optional<Uuid> metadata_dir_id;
  if (cmd.standalone) {
    std::optional<config::Endpoint> e = controller_endpoint(cfg);
    if (!e) {
      return Unexpected(std::string(
          "--standalone needs this node's controller listener: set controller.listener.names and list it in listeners"));
    }
    metadata_dir_id = Uuid::random();
    plan.bootstrap_voters.push_back(config::QuorumVoter{cfg.node_id, e->host, e->port, metadata_dir_id});
  } else if (cmd.initial_controllers) {
    auto voters = config::parse_quorum_voters({*cmd.initial_controllers}, config::VoterSyntax::initial_controllers);
    if (!voters) return Unexpected(voters.error() + " in --initial-controllers");
    plan.bootstrap_voters = std::move(voters).value();
    for (const config::QuorumVoter& v : plan.bootstrap_voters) {
      if (v.id == cfg.node_id) metadata_dir_id = v.directory_id;  // this node's metadata directory
    }
  }

  const std::vector<std::string> dirs = dirs_of(cfg);
  RUNNEL_ASSERT(formatted.size() == dirs.size(), "format: %zu states for %zu directories", formatted.size(), dirs.size());
  for (size_t i = 0; i < dirs.size(); ++i) {
    if (formatted[i]) {
      if (!cmd.ignore_formatted) {
        return Unexpected("Log directory " + dirs[i] +
                          " is already formatted. Use --ignore-formatted to ignore this directory and format the others.");
      }
      plan.skipped.push_back(dirs[i]);
      continue;
    }
    const bool metadata = dirs[i] == cfg.metadata_log_dir;
    plan.dirs.push_back({dirs[i], metadata && metadata_dir_id ? *metadata_dir_id : Uuid::random()});
  }
  // Voters are only written with a freshly formatted metadata directory.
  const bool metadata_formatted_now =
      std::any_of(plan.dirs.begin(), plan.dirs.end(), [&](const FormatPlan::Dir& d) { return d.path == cfg.metadata_log_dir; });
  if (!metadata_formatted_now) plan.bootstrap_voters.clear();
  return plan;
}

int run_storage_command(const StorageCommand& cmd, std::FILE* out, std::FILE* err) {
  if (cmd.kind == StorageCommand::Kind::random_uuid) {
    std::fprintf(out, "%s\n", Uuid::random().to_base64().c_str());
    return 0;
  }
  std::vector<std::string> warnings;
  auto cfg = load_broker_config(cmd.config_path, cmd.overrides, warnings);
  for (const std::string& w : warnings) std::fprintf(err, "warning: %s\n", w.c_str());
  if (!cfg) {
    std::fprintf(err, "%s\n", cfg.error().c_str());
    return 1;
  }
  return cmd.kind == StorageCommand::Kind::format ? format(*cfg, cmd, out, err) : info(*cfg, out);
}

}  // namespace runnel::app
