// runnel-broker: a Kafka-compatible broker. Reads Kafka's server.properties names.
#include <cstdio>
#include <string_view>
#include <vector>

#include "broker/app/config_loader.h"
#include "broker/app/storage_tool.h"
#include "broker/config/broker_config.h"
#include "broker/config/cli.h"
#include "broker/config/properties.h"
#include "broker/log/log.h"
#include "broker/server/broker.h"

#ifndef RUNNEL_VERSION
#define RUNNEL_VERSION "0.0.0"
#endif

int main(int argc, char** argv) {
  using namespace runnel;
  if (argc > 1 && app::is_storage_command(argv[1])) {
    // kafka-storage's commands: runnel-broker format | info | random-uuid.
    std::vector<std::string_view> args(argv + 1, argv + argc);
    auto cmd = app::parse_storage_command(args);
    if (!cmd) {
      std::fprintf(stderr, "runnel-broker %s: %s\n", argv[1], cmd.error().c_str());
      return 2;
    }
    return app::run_storage_command(*cmd, stdout, stderr);
  }
  config::CommandLine cli = config::parse_command_line(argc, argv);
  switch (cli.action) {
    case config::CommandLine::Action::help:
      std::fputs(config::help_text("runnel-broker").c_str(), stdout);
      return 0;
    case config::CommandLine::Action::version:
      std::printf("runnel-broker %s\n", RUNNEL_VERSION);
      return 0;
    case config::CommandLine::Action::error:
      std::fprintf(stderr, "runnel-broker: %s\n\n%s", cli.error.c_str(), config::help_text("runnel-broker").c_str());
      return 2;
    case config::CommandLine::Action::run:
      break;
  }

  std::vector<std::string> warnings;
  auto cfg = app::load_broker_config(cli.config_path, cli.overrides, warnings);
  for (const auto& w : warnings) RUNNEL_LOG(warn, "%s", w.c_str());
  if (!cfg.has_value()) {
    RUNNEL_LOG(error, "%s", cfg.error().c_str());
    return 1;
  }
  server::Broker broker(std::move(cfg).value());
  return broker.run();
}
