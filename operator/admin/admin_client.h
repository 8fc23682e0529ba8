#pragma once
// The operator's view of a Runnel (or any Kafka) cluster: the handful of admin operations the
// topic controller needs, behind an abstract interface so the controller is unit-tested with a
// fake and run against `connect()`'s real client.
//
// The real client is blocking (plain POSIX sockets, every call bounded by the timeout given to
// `connect`) and not thread-safe: use one instance per thread. Errors are values (`Outcome`),
// never exceptions.

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "broker/model/error_code.h"
#include "broker/model/uuid.h"
#include "operator/admin/admin_error.h"

namespace runnel::operator_admin {

// One topic as Metadata reports it. A topic that does not exist comes back with
// `error == unknown_topic_or_partition` rather than as a failed Outcome, so one call can describe
// several topics.
struct TopicDescription {
  std::string name;
  ErrorCode error = ErrorCode::none;
  Uuid topic_id;
  int32_t partitions = 0;
  int16_t replication_factor = 0;  // replicas of partition 0; 0 when unknown
  bool internal = false;

  bool exists() const { return error == ErrorCode::none; }
};

// Kafka's ConfigSource numbering (DescribeConfigs v1+).
enum class ConfigSource : int8_t {
  unknown = 0,
  dynamic_topic = 1,  // set on the topic: the only source the operator manages
  dynamic_broker = 2,
  dynamic_default_broker = 3,
  static_broker = 4,
  default_config = 5,
  dynamic_broker_logger = 6,
};

struct ConfigEntry {
  std::string name;
  std::optional<std::string> value;  // nullopt for sensitive values
  ConfigSource source = ConfigSource::unknown;
  bool read_only = false;
  bool sensitive = false;

  // Set explicitly on the topic (as opposed to inherited from the broker or the default).
  bool is_topic_override() const { return source == ConfigSource::dynamic_topic; }
  bool is_default() const { return source == ConfigSource::default_config; }
};

// IncrementalAlterConfigs operations (Kafka's OpType numbering).
enum class AlterOp : int8_t { set = 0, remove = 1 /* DELETE */, append = 2, subtract = 3 };

struct ConfigAlteration {
  std::string name;
  AlterOp op = AlterOp::set;
  std::optional<std::string> value;  // ignored for remove

  bool operator==(const ConfigAlteration&) const = default;
};

// Per-topic result of a batch operation (DeleteTopics).
struct TopicResult {
  std::string name;
  ErrorCode error = ErrorCode::none;
  std::string message;
  bool ok() const { return error == ErrorCode::none; }
};

class AdminClient {
 public:
  virtual ~AdminClient() = default;

  virtual Outcome<std::vector<TopicDescription>> describe_topics(
      const std::vector<std::string>& names) = 0;
  // Every topic the cluster knows, internal ones included (see TopicDescription::internal).
  virtual Outcome<std::vector<TopicDescription>> list_topics() = 0;
  // `partitions` / `replication_factor` of -1 take the broker's defaults. A topic-level error
  // (TOPIC_ALREADY_EXISTS, INVALID_TOPIC_EXCEPTION, INVALID_CONFIG, ...) is a Kafka AdminError.
  virtual Outcome<TopicDescription> create_topic(const std::string& name, int32_t partitions,
                                                 int16_t replication_factor,
                                                 const std::map<std::string, std::string>& configs) = 0;
  // Grows the topic to `total` partitions; a total not above the current count is
  // INVALID_PARTITIONS, as in Kafka.
  virtual Status create_partitions(const std::string& name, int32_t total) = 0;
  // Every config of the topic with its source, so a caller can tell explicit overrides apart.
  virtual Outcome<std::vector<ConfigEntry>> describe_configs(const std::string& topic) = 0;
  virtual Status incremental_alter_configs(const std::string& topic,
                                           const std::vector<ConfigAlteration>& ops) = 0;
  virtual Outcome<std::vector<TopicResult>> delete_topics(const std::vector<std::string>& names) = 0;
};

struct ConnectOptions {
  std::vector<std::string> bootstrap;  // "host:port", tried in order
  std::chrono::milliseconds timeout{5000};  // bounds connect, and each request's write+read
  std::string client_id = "runnel-operator";
};

// Connects to the first reachable bootstrap address and negotiates API versions. Later calls
// reconnect by themselves after a transport error (trying every bootstrap address again).
Outcome<std::unique_ptr<AdminClient>> connect(const ConnectOptions& options);
inline Outcome<std::unique_ptr<AdminClient>> connect(std::vector<std::string> bootstrap,
                                                     std::chrono::milliseconds timeout) {
  return connect(ConnectOptions{std::move(bootstrap), timeout});
}

}  // namespace runnel::operator_admin
