#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "broker/config/result.h"

namespace runnel::config {

// Kafka's ConfigDef.Type, numbered as DescribeConfigsResponse v3+ sends it (ConfigType field).
enum class ConfigType : int8_t {
  unknown = 0,
  boolean = 1,
  string = 2,
  int_ = 3,
  short_ = 4,
  long_ = 5,
  double_ = 6,
  list = 7,
  class_ = 8,
  password = 9,
};

// Where a described value comes from, numbered as DescribeConfigsResponse v1+ sends it
// (ConfigSource field and synonym Source). Kafka's admin client calls `topic`
// DYNAMIC_TOPIC_CONFIG.
enum class ConfigSource : int8_t {
  unknown = 0,
  topic = 1,
  dynamic_broker = 2,
  dynamic_default_broker = 3,
  static_broker = 4,
  default_config = 5,
  dynamic_broker_logger = 6,
  client_metrics = 7,
  group = 8,
};

// Config names to raw string values as a user wrote them.
using RawConfigs = std::map<std::string, std::string, std::less<>>;

// Broker-level values that were set explicitly, one map per layer, in Kafka's precedence: this
// broker's dynamic value (AlterConfigs naming its id) beats a cluster-wide dynamic default
// (AlterConfigs with an empty broker name), which beats the static server.properties value.
struct BrokerLayers {
  RawConfigs dynamic_broker;
  RawConfigs dynamic_default;
  RawConfigs static_file;
};

// Why a configuration change was rejected. The handler picks Kafka's error code for it
// (server/config_errors.h); config itself does not speak the wire.
enum class ConfigErrc : uint8_t {
  invalid_value,  // unknown name, a value that does not parse or is out of range, conflicting settings
  not_updatable,  // a broker config that cannot change at run time, or not at the cluster-wide scope
};

// A rejected configuration: why, and Kafka's message text for the client.
struct ConfigError {
  ConfigErrc code = ConfigErrc::invalid_value;
  std::string message;
};

// Accepted, or why not.
using Validation = runnel::Result<void, ConfigError>;

// Kafka's upper-case type name ("INT"), used in "Not a number of type INT".
std::string_view type_name(ConfigType type);

enum class Importance { high, medium, low };
std::string_view importance_name(Importance importance);

// Whether AlterConfigs on a broker resource may change a broker property, and at which level,
// mirroring Kafka's DynamicBrokerConfig. Read-only ones need a restart.
enum class UpdateMode { read_only, per_broker, cluster_wide };
std::string_view update_mode_name(UpdateMode mode);

// The checks Kafka's ConfigDef validators perform; one struct so the tables stay declarative.
struct Validator {
  enum class Kind {
    none,
    range,               // numeric min and/or max (ConfigDef.Range)
    one_of,              // string in a set (ConfigDef.ValidString)
    list_of,             // every list element in a set (ConfigDef.ValidList)
    gzip_level,          // 1..9 or -1 (GzipCompression.LevelValidator)
    throttled_replicas,  // "*" or partition:broker pairs (ThrottledReplicaListValidator)
  };
  Kind kind = Kind::none;
  std::optional<double> min;
  std::optional<double> max;
  std::vector<std::string_view> options;

  // Kafka's rendering for documentation, e.g. "[1,...]" or "[compact, delete]".
  std::string describe() const;
};

Validator no_validator();
Validator at_least(double min);
Validator between(double min, double max);
Validator one_of(std::vector<std::string_view> options);
Validator list_of(std::vector<std::string_view> options);
Validator gzip_level();
Validator throttled_replicas();

// One property: its name, type, default (as the string a user would write; nullopt is
// Kafka's `null` default), validator, importance, how it may be updated, and our own short doc.
struct ConfigDef {
  std::string_view name;
  ConfigType type;
  std::optional<std::string_view> default_value;
  Validator validator;
  Importance importance;
  UpdateMode update_mode;
  std::string_view doc;
};

// A parsed value. INT, SHORT and LONG are all held as int64_t (range-checked per type);
// STRING, CLASS and PASSWORD as std::string; monostate is Kafka's null.
using ConfigValue =
    std::variant<std::monostate, bool, int64_t, double, std::string, std::vector<std::string>>;

// Parses and validates `raw` the way Kafka's ConfigDef does (values are trimmed; lists split on
// commas with surrounding blanks). Errors read exactly like Kafka's ConfigException, e.g.
// "Invalid value -5 for configuration num.partitions: Value must be at least 1".
Result<ConfigValue> parse_value(const ConfigDef& def, std::string_view raw);

// The default, parsed. A table test checks that every default parses.
ConfigValue default_value(const ConfigDef& def);

// Kafka's ConfigDef.convertToString: lists joined with ',', doubles as Java prints them.
// Returns nullopt for null.
std::optional<std::string> to_string(const ConfigValue& value);

// Java's Double.toString for the values configs use (0.5 -> "0.5", 1 -> "1.0").
std::string java_double_string(double d);

}  // namespace runnel::config
