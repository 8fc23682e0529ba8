#include "broker/config/cli.h"

#include <gtest/gtest.h>

namespace runnel::config {
namespace {

CommandLine parse(std::vector<std::string_view> args) { return parse_command_line(std::span<const std::string_view>(args)); }

TEST(Cli, NoArgumentsRunsWithDefaults) {
  CommandLine c = parse({});
  EXPECT_EQ(c.action, CommandLine::Action::run);
  EXPECT_FALSE(c.config_path.has_value());
  EXPECT_TRUE(c.overrides.empty());
}

TEST(Cli, ConfigAndRepeatedOverrides) {
  CommandLine c = parse({"--config", "server.properties", "--override", "num.partitions=3", "--override",
                         "listeners=PLAINTEXT://:9093", "--override=log.dirs=/x"});
  ASSERT_EQ(c.action, CommandLine::Action::run) << c.error;
  EXPECT_EQ(c.config_path, "server.properties");
  ASSERT_EQ(c.overrides.size(), 3u);
  EXPECT_EQ(c.overrides[0], (std::pair<std::string, std::string>{"num.partitions", "3"}));
  EXPECT_EQ(c.overrides[1], (std::pair<std::string, std::string>{"listeners", "PLAINTEXT://:9093"}));
  EXPECT_EQ(c.overrides[2], (std::pair<std::string, std::string>{"log.dirs", "/x"}));
}

TEST(Cli, KafkaStylePositionalFile) {
  CommandLine c = parse({"config/server.properties", "--override", "a=b=c"});
  ASSERT_EQ(c.action, CommandLine::Action::run);
  EXPECT_EQ(c.config_path, "config/server.properties");
  EXPECT_EQ(c.overrides[0].second, "b=c");
  EXPECT_EQ(parse({"--config=a.properties"}).config_path, "a.properties");
}

TEST(Cli, EmptyOverrideValueIsAllowed) {
  CommandLine c = parse({"--override", "broker.rack="});
  ASSERT_EQ(c.action, CommandLine::Action::run);
  EXPECT_EQ(c.overrides[0].second, "");
}

TEST(Cli, HelpAndVersion) {
  EXPECT_EQ(parse({"--help"}).action, CommandLine::Action::help);
  EXPECT_EQ(parse({"-h", "--config", "x"}).action, CommandLine::Action::help);
  EXPECT_EQ(parse({"--version"}).action, CommandLine::Action::version);
  std::string help = help_text("runnel-broker");
  EXPECT_NE(help.find("--config"), std::string::npos);
  EXPECT_NE(help.find("--override"), std::string::npos);
  EXPECT_NE(help.find("--help"), std::string::npos);
  EXPECT_NE(help.find("--version"), std::string::npos);
}

TEST(Cli, Errors) {
  EXPECT_EQ(parse({"--config"}).action, CommandLine::Action::error);
  EXPECT_EQ(parse({"--override"}).action, CommandLine::Action::error);
  EXPECT_EQ(parse({"--override", "novalue"}).action, CommandLine::Action::error);
  EXPECT_EQ(parse({"--override", "=x"}).action, CommandLine::Action::error);
  EXPECT_EQ(parse({"--bogus"}).action, CommandLine::Action::error);
  EXPECT_EQ(parse({"a.properties", "b.properties"}).action, CommandLine::Action::error);
  EXPECT_EQ(parse({"--config", ""}).action, CommandLine::Action::error);
  EXPECT_NE(parse({"--bogus"}).error.find("--bogus"), std::string::npos);
}

TEST(Cli, ArgvOverload) {
  const char* argv[] = {"runnel-broker", "--config", "s.properties"};
  CommandLine c = parse_command_line(3, argv);
  EXPECT_EQ(c.config_path, "s.properties");
}

}  // namespace
}  // namespace runnel::config
