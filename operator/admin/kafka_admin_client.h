#pragma once
// The real AdminClient: Kafka admin requests over `KafkaConnection`s built from the generated
// protocol codecs.
//
// Routing: reads (Metadata, DescribeConfigs) go to any broker; topic changes go to the controller
// that Metadata names, as Kafka's AdminClient does, falling back to the bootstrap connection when
// the controller's advertised address is not reachable from the operator (or is the same broker).
// A call that fails on transport, or answers NOT_CONTROLLER, is retried once on a fresh
// connection; every attempt is bounded by the timeout of `ConnectOptions`.

#include <optional>

#include "operator/admin/admin_client.h"
#include "operator/admin/kafka_connection.h"

namespace runnel::operator_admin {

class KafkaAdminClient final : public AdminClient {
 public:
  KafkaAdminClient(ConnectOptions options, KafkaConnection bootstrap)
      : options_(std::move(options)), any_(std::move(bootstrap)) {}

  Outcome<std::vector<TopicDescription>> describe_topics(const std::vector<std::string>& names) override;
  Outcome<std::vector<TopicDescription>> list_topics() override;
  Outcome<TopicDescription> create_topic(const std::string& name, int32_t partitions,
                                         int16_t replication_factor,
                                         const std::map<std::string, std::string>& configs) override;
  Status create_partitions(const std::string& name, int32_t total) override;
  Outcome<std::vector<ConfigEntry>> describe_configs(const std::string& topic) override;
  Status incremental_alter_configs(const std::string& topic,
                                   const std::vector<ConfigAlteration>& ops) override;
  Outcome<std::vector<TopicResult>> delete_topics(const std::vector<std::string>& names) override;

 private:
  enum class Target { any, controller };

  // Runs `op(connection)` against the target, retrying once after a transport error or
  // NOT_CONTROLLER (the retry reconnects and re-resolves the controller).
  template <class Op>
  auto with_connection(Target target, Op op) -> decltype(op(std::declval<KafkaConnection&>()));

  Outcome<KafkaConnection*> connection(Target target);
  Outcome<KafkaConnection*> any_broker();
  Outcome<KafkaConnection*> controller();
  void forget(Target target);
  // Metadata for `names` (nullopt: every topic).
  Outcome<std::vector<TopicDescription>> metadata(const std::optional<std::vector<std::string>>& names);

  ConnectOptions options_;
  std::optional<KafkaConnection> any_;
  std::optional<KafkaConnection> controller_;
  bool controller_is_any_ = false;  // the controller is the broker `any_` talks to
};

template <class Op>
auto KafkaAdminClient::with_connection(Target target, Op op)
    -> decltype(op(std::declval<KafkaConnection&>())) {
  for (int attempt = 0;; ++attempt) {
    auto conn = connection(target);
    if (!conn.ok()) return conn.error();
    auto result = op(*conn.value());
    const bool retryable = !result.ok() && (result.error().is_transport() ||
                                            result.error().is(ErrorCode::not_controller));
    if (!retryable || attempt == 1) return result;
    forget(target);
  }
}

}  // namespace runnel::operator_admin
