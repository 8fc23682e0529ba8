#include "operator/resources/config_check.h"

#include "broker/config/broker_config.h"
#include "broker/config/cli.h"
#include "broker/config/properties.h"
#include "operator/resources/broker_container.h"
#include "operator/resources/server_properties.h"

namespace runnel::resources {
namespace {

// The kubelet expands these from the downward API; any valid sample checks the same syntax.
std::string expand_sample(std::string arg) {
  for (auto [var, value] : {std::pair<std::string, std::string>{"$(RUNNEL_NODE_ID)", "0"},
                            std::pair<std::string, std::string>{"$(POD_IP)", "10.0.0.1"}}) {
    for (auto at = arg.find(var); at != std::string::npos; at = arg.find(var)) arg.replace(at, var.size(), value);
  }
  return arg;
}

}  // namespace

ConfigCheck check_broker_config(const api::RunnelCluster& c) {
  ConfigCheck out;
  auto props = config::parse_properties(render_server_properties(c));
  if (!props.has_value()) {
    out.error = "server.properties: " + props.error();
    return out;
  }
  std::vector<std::string> args;
  for (const auto& a : broker_args()) args.push_back(expand_sample(a.get<std::string>()));
  std::vector<std::string_view> views(args.begin(), args.end());
  config::CommandLine cli = config::parse_command_line(views);
  if (cli.action != config::CommandLine::Action::run) {
    out.error = "broker arguments: " + cli.error;
    return out;
  }
  auto loaded = config::load(props.value(), cli.overrides, out.warnings);
  if (!loaded.has_value()) out.error = loaded.error();
  return out;
}

}  // namespace runnel::resources
