// runnel-broker: a Kafka-compatible broker. Reads Kafka's server.properties names.
#include <cstdio>
#include <vector>

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

  config::Properties props;
  if (cli.config_path) {
    auto loaded = config::load_properties_file(*cli.config_path);
    if (!loaded.has_value()) {
      RUNNEL_LOG(error, "cannot read %s: %s", cli.config_path->c_str(), loaded.error().c_str());
      return 1;
    }
    props = loaded.value();
  }
  std::vector<std::string> warnings;
  auto cfg = config::load(props, cli.overrides, warnings);
  for (const auto& w : warnings) RUNNEL_LOG(warn, "%s", w.c_str());
  if (!cfg.has_value()) {
    RUNNEL_LOG(error, "invalid configuration: %s", cfg.error().c_str());
    return 1;
  }
  server::Broker broker(std::move(cfg).value());
  return broker.run();
}
