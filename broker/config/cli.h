#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace runnel::config {

// What `runnel-broker` was asked to do. Parsing is a pure function (no exit(), no printing) so
// main() decides what to print and which status to exit with.
struct CommandLine {
  enum class Action { run, help, version, error };
  Action action = Action::run;
  std::optional<std::string> config_path;                     // --config FILE (or a bare FILE)
  std::vector<std::pair<std::string, std::string>> overrides;  // --override key=value, in order
  std::string error;                                           // set when action == error
};

// Accepts, like kafka-server-start.sh plus a named form:
//   runnel-broker [--config FILE | FILE] [--override key=value]... [--help|-h] [--version]
// `--config=FILE` and `--override=key=value` work too. Without a file, defaults apply.
// `args` excludes argv[0].
CommandLine parse_command_line(std::span<const std::string_view> args);

// Convenience for main(): converts argv (skipping argv[0]).
CommandLine parse_command_line(int argc, const char* const* argv);

// The --help text; `program` is argv[0] as typed.
std::string help_text(std::string_view program);

}  // namespace runnel::config
