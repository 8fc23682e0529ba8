#include "broker/config/cli.h"

namespace runnel::config {

namespace {

CommandLine error(std::string message) {
  CommandLine c;
  c.action = CommandLine::Action::error;
  c.error = std::move(message);
  return c;
}

bool split_override(std::string_view text, std::pair<std::string, std::string>& out) {
  std::size_t eq = text.find('=');
  if (eq == std::string_view::npos || eq == 0) return false;
  out = {std::string(text.substr(0, eq)), std::string(text.substr(eq + 1))};
  return true;
}

}  // namespace

CommandLine parse_command_line(std::span<const std::string_view> args) {
  CommandLine c;
  bool help = false;
  bool version = false;
  auto set_config = [&](std::string_view path) -> bool {
    if (c.config_path) return false;
    c.config_path = std::string(path);
    return true;
  };
  for (std::size_t i = 0; i < args.size(); ++i) {
    std::string_view a = args[i];
    if (a == "--help" || a == "-h") {
      help = true;
    } else if (a == "--version") {
      version = true;
    } else if (a == "--config" || a == "--override") {
      if (i + 1 == args.size()) return error("Option " + std::string(a) + " needs a value");
      std::string_view v = args[++i];
      if (a == "--config") {
        if (!set_config(v)) return error("Only one configuration file may be given");
      } else {
        std::pair<std::string, std::string> kv;
        if (!split_override(v, kv)) return error("Option --override expects key=value, got '" + std::string(v) + "'");
        c.overrides.push_back(std::move(kv));
      }
    } else if (a.starts_with("--config=")) {
      if (!set_config(a.substr(9))) return error("Only one configuration file may be given");
    } else if (a.starts_with("--override=")) {
      std::pair<std::string, std::string> kv;
      if (!split_override(a.substr(11), kv)) {
        return error("Option --override expects key=value, got '" + std::string(a.substr(11)) + "'");
      }
      c.overrides.push_back(std::move(kv));
    } else if (a.starts_with("-")) {
      return error("Unknown option '" + std::string(a) + "' (try --help)");
    } else {
      // A bare path, as kafka-server-start.sh takes server.properties.
      if (!set_config(a)) return error("Only one configuration file may be given");
    }
  }
  if (c.config_path && c.config_path->empty()) return error("Option --config needs a non-empty path");
  if (help) c.action = CommandLine::Action::help;
  else if (version) c.action = CommandLine::Action::version;
  return c;
}

CommandLine parse_command_line(int argc, const char* const* argv) {
  std::vector<std::string_view> args;
  for (int i = 1; i < argc; ++i) args.emplace_back(argv[i]);
  return parse_command_line(std::span<const std::string_view>(args));
}

std::string help_text(std::string_view program) {
  std::string p(program.empty() ? "runnel-broker" : program);
  return "Usage: " + p + " [--config FILE | FILE] [--override key=value]... \n"
         "\n"
         "Runs a Runnel broker, a Kafka-compatible streaming broker.\n"
         "\n"
         "Options:\n"
         "  --config FILE           Read broker properties from FILE (Java .properties syntax,\n"
         "                          Kafka property names). Without it, defaults apply.\n"
         "  --override key=value    Set one property, taking precedence over FILE. May repeat.\n"
         "  --help, -h              Print this help and exit.\n"
         "  --version               Print the version and exit.\n"
         "\n"
         "Examples:\n"
         "  " + p + " --config config/server.properties\n"
         "  " + p + " --override listeners=PLAINTEXT://:9092 --override log.dirs=/var/lib/runnel\n"
         "\n"
         "Every supported property is listed in docs/configuration.md.\n";
}

}  // namespace runnel::config
