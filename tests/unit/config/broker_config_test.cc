#include "broker/config/broker_config.h"

#include <gtest/gtest.h>

namespace runnel::config {
namespace {

Properties props(std::string_view text) {
  Result<Properties> r = parse_properties(text);
  EXPECT_TRUE(r.has_value());
  return r.value();
}

BrokerConfig load_ok(std::string_view text, const Overrides& overrides = {}) {
  std::vector<std::string> warnings;
  Result<BrokerConfig> r = load(props(text), overrides, warnings);
  EXPECT_TRUE(r.has_value()) << r.error();
  return r.has_value() ? r.value() : BrokerConfig{};
}

std::string load_error(std::string_view text, const Overrides& overrides = {}) {
  std::vector<std::string> warnings;
  Result<BrokerConfig> r = load(props(text), overrides, warnings);
  EXPECT_FALSE(r.has_value());
  return r.has_value() ? "" : r.error();
}

TEST(BrokerConfig, DefaultsMatchKafka) {
  BrokerConfig c = load_ok("");
  EXPECT_EQ(c.node_id, NodeId(0));
  EXPECT_EQ(c.num_partitions, 1);
  EXPECT_EQ(c.default_replication_factor, 1);
  EXPECT_TRUE(c.auto_create_topics_enable);
  EXPECT_TRUE(c.delete_topic_enable);
  EXPECT_EQ(c.log_dirs, std::vector<std::string>{"./data"});
  EXPECT_EQ(c.socket_request_max_bytes, 104857600);
  EXPECT_EQ(c.socket_send_buffer_bytes, 102400);
  EXPECT_EQ(c.queued_max_requests, 500);
  EXPECT_EQ(c.connections_max_idle_ms, 600000);
  EXPECT_EQ(c.message_max_bytes, 1048588);
  EXPECT_EQ(c.log_retention_check_interval_ms, 300000);
  EXPECT_EQ(c.offsets_topic_num_partitions, 50);
  EXPECT_EQ(c.offsets_topic_replication_factor, 3);
  EXPECT_EQ(c.offsets_retention_minutes, 10080);
  EXPECT_EQ(c.group_initial_rebalance_delay_ms, 3000);
  EXPECT_EQ(c.group_min_session_timeout_ms, 6000);
  EXPECT_EQ(c.group_max_session_timeout_ms, 1800000);
  EXPECT_EQ(c.transaction_max_timeout_ms, 900000);
  EXPECT_EQ(c.transactional_id_expiration_ms, 604800000);
  EXPECT_EQ(c.producer_id_expiration_ms, 86400000);
  EXPECT_EQ(c.fetch_max_bytes, 57671680);
  EXPECT_EQ(c.replica_fetch_max_bytes, 1048576);
  EXPECT_EQ(c.max_incremental_fetch_session_cache_slots, 1000);
  EXPECT_EQ(c.runnel_cores, 0);

  const TopicConfig& t = c.topic_defaults;
  EXPECT_EQ(t.segment_bytes, 1073741824);
  EXPECT_EQ(t.segment_ms, 604800000);
  EXPECT_EQ(t.segment_jitter_ms, 0);
  EXPECT_EQ(t.retention_ms, 604800000);
  EXPECT_EQ(t.retention_bytes, -1);
  EXPECT_EQ(t.segment_index_bytes, 10485760);
  EXPECT_EQ(t.index_interval_bytes, 4096);
  EXPECT_EQ(t.flush_messages, INT64_MAX);
  EXPECT_EQ(t.flush_ms, INT64_MAX);
  EXPECT_EQ(t.file_delete_delay_ms, 60000);
  EXPECT_EQ(t.delete_retention_ms, 86400000);
  EXPECT_DOUBLE_EQ(t.min_cleanable_dirty_ratio, 0.5);
  EXPECT_TRUE(t.cleanup_delete);
  EXPECT_FALSE(t.cleanup_compact);
  EXPECT_EQ(t.compression_type, CompressionType::producer);
  EXPECT_EQ(t.max_message_bytes, 1048588);
  EXPECT_EQ(t.min_insync_replicas, 1);
  EXPECT_FALSE(t.unclean_leader_election_enable);
  EXPECT_EQ(t.message_timestamp_type, TimestampType::create_time);
}

TEST(BrokerConfig, DefaultListeners) {
  BrokerConfig c = load_ok("");
  ASSERT_EQ(c.listeners.size(), 1u);
  EXPECT_EQ(endpoint_string(c.listeners[0]), "PLAINTEXT://:9092");
  EXPECT_EQ(c.advertised_listeners, c.listeners);
  EXPECT_EQ(c.inter_broker_listener_name, "PLAINTEXT");
  ASSERT_EQ(c.admin_listeners.size(), 1u);
  EXPECT_EQ(c.admin_listeners[0].host, "0.0.0.0");
  EXPECT_EQ(c.admin_listeners[0].port, 9644);
}

TEST(BrokerConfig, RetentionPrecedenceMsOverMinutesOverHours) {
  EXPECT_EQ(load_ok("log.retention.hours=1\n").topic_defaults.retention_ms, 3600000);
  EXPECT_EQ(load_ok("log.retention.hours=1\nlog.retention.minutes=2\n").topic_defaults.retention_ms, 120000);
  EXPECT_EQ(load_ok("log.retention.hours=1\nlog.retention.minutes=2\nlog.retention.ms=5\n").topic_defaults.retention_ms,
            5);
  EXPECT_EQ(load_ok("log.retention.ms=-1\nlog.retention.hours=1\n").topic_defaults.retention_ms, -1);
  // Any negative broker retention means "forever", as in Kafka.
  EXPECT_EQ(load_ok("log.retention.hours=-5\n").topic_defaults.retention_ms, -1);
}

TEST(BrokerConfig, RollAndJitterPrecedence) {
  EXPECT_EQ(load_ok("log.roll.hours=2\n").topic_defaults.segment_ms, 7200000);
  EXPECT_EQ(load_ok("log.roll.hours=2\nlog.roll.ms=100\n").topic_defaults.segment_ms, 100);
  EXPECT_EQ(load_ok("log.roll.jitter.hours=1\n").topic_defaults.segment_jitter_ms, 3600000);
  EXPECT_EQ(load_ok("log.roll.jitter.hours=1\nlog.roll.jitter.ms=7\n").topic_defaults.segment_jitter_ms, 7);
  EXPECT_EQ(load_ok("log.flush.scheduler.interval.ms=1000\n").topic_defaults.flush_ms, 1000);
  EXPECT_EQ(load_ok("log.flush.scheduler.interval.ms=1000\nlog.flush.interval.ms=10\n").topic_defaults.flush_ms, 10);
}

TEST(BrokerConfig, OverridesBeatTheFile) {
  BrokerConfig c = load_ok("num.partitions=3\n", {{"num.partitions", "6"}});
  EXPECT_EQ(c.num_partitions, 6);
  EXPECT_EQ(c.layers.static_file.at("num.partitions"), "6");
}

TEST(BrokerConfig, UnknownKeyWarnsButLoads) {
  std::vector<std::string> warnings;
  Result<BrokerConfig> r = load(props("num.partitions=2\nssl.keystore.location=/x\n"), {{"bogus", "1"}}, warnings);
  ASSERT_TRUE(r.has_value()) << r.error();
  EXPECT_EQ(r.value().num_partitions, 2);
  ASSERT_EQ(warnings.size(), 2u);
  EXPECT_NE(warnings[0].find("'ssl.keystore.location'"), std::string::npos);
  EXPECT_NE(warnings[0].find("line 2"), std::string::npos);
  EXPECT_NE(warnings[1].find("'bogus'"), std::string::npos);
  EXPECT_EQ(r.value().layers.static_file.count("bogus"), 0u);
}

TEST(BrokerConfig, DuplicateKeyWarns) {
  std::vector<std::string> warnings;
  Result<BrokerConfig> r = load(props("num.partitions=2\nnum.partitions=4\n"), {}, warnings);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r.value().num_partitions, 4);
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_NE(warnings[0].find("Duplicate"), std::string::npos);
}

TEST(BrokerConfig, InvalidValueNamesKeyValueRangeAndLine) {
  EXPECT_EQ(load_error("# x\nnum.partitions=-5\n"),
            "Invalid value -5 for configuration num.partitions: Value must be at least 1 (line 2)");
  EXPECT_EQ(load_error("", {{"log.segment.bytes", "12"}}),
            "Invalid value 12 for configuration log.segment.bytes: Value must be at least 1048576 (--override)");
  EXPECT_EQ(load_error("auto.create.topics.enable=maybe\n"),
            "Invalid value maybe for configuration auto.create.topics.enable: Expected value to be either true or "
            "false (line 1)");
  EXPECT_EQ(load_error("log.message.timestamp.type=Whenever\n"),
            "Invalid value Whenever for configuration log.message.timestamp.type: String must be one of: "
            "CreateTime, LogAppendTime (line 1)");
}

TEST(BrokerConfig, NodeIdAndBrokerIdAlias) {
  EXPECT_EQ(load_ok("broker.id=7\n").node_id, NodeId(7));
  EXPECT_EQ(load_ok("node.id=3\n").node_id, NodeId(3));
  EXPECT_EQ(load_ok("node.id=3\nbroker.id=3\n").node_id, NodeId(3));
  EXPECT_NE(load_error("node.id=3\nbroker.id=4\n").find("must be the same value"), std::string::npos);
}

TEST(BrokerConfig, ProcessRolesAndQuorumAccepted) {
  BrokerConfig c = load_ok(
      "process.roles=broker,controller\nnode.id=1\ncontroller.quorum.voters=1@localhost:9093\n"
      "controller.listener.names=CONTROLLER\nlisteners=PLAINTEXT://:9092,CONTROLLER://:9093\n"
      "controller.quorum.bootstrap.servers=localhost:9093\n");
  EXPECT_EQ(c.process_roles, (std::vector<std::string>{"broker", "controller"}));
  EXPECT_TRUE(c.is_controller());
  ASSERT_EQ(c.controller_quorum_voters.size(), 1u);
  EXPECT_EQ(c.controller_quorum_voters[0].port, 9093);
  EXPECT_EQ(c.metadata_log_dir, c.log_dirs.front());
  EXPECT_NE(load_error("controller.quorum.voters=1@localhost\n").find("Invalid voter '1@localhost'"), std::string::npos);
  EXPECT_EQ(load_ok("log.dirs=/a\nmetadata.log.dir=/m\n").storage_dirs(), (std::vector<std::string>{"/a", "/m"}));
  ASSERT_EQ(c.listeners.size(), 2u);
  // Controller listeners are bound but not advertised to clients.
  ASSERT_EQ(c.advertised_listeners.size(), 1u);
  EXPECT_EQ(c.advertised_listeners[0].name, "PLAINTEXT");
  EXPECT_FALSE(load_error("process.roles=worker\n").empty());
}

TEST(BrokerConfig, CustomListenerNamesNeedTheProtocolMap) {
  BrokerConfig c = load_ok(
      "listeners=CLIENT://0.0.0.0:19092,REPL://[::1]:19093\n"
      "advertised.listeners=CLIENT://kafka.example.com:19092,REPL://[::1]:19093\n"
      "listener.security.protocol.map=CLIENT:PLAINTEXT,REPL:PLAINTEXT\ninter.broker.listener.name=REPL\n");
  ASSERT_EQ(c.listeners.size(), 2u);
  EXPECT_EQ(c.listeners[0].host, "0.0.0.0");
  EXPECT_EQ(c.listeners[1].host, "::1");
  EXPECT_EQ(c.advertised_listeners[0].host, "kafka.example.com");
  EXPECT_EQ(c.inter_broker_listener_name, "REPL");

  EXPECT_NE(load_error("listeners=CLIENT://:9092\n").find("No security protocol defined for listener CLIENT"),
            std::string::npos);
  EXPECT_NE(load_error("listeners=CLIENT://:9092\nlistener.security.protocol.map=CLIENT:PLAINTEXT\n")
                .find("inter.broker.listener.name must be a listener name defined in advertised.listeners"),
            std::string::npos);
}

TEST(BrokerConfig, ListenerErrors) {
  EXPECT_NE(load_error("listeners=PLAINTEXT://0.0.0.0:9092\n").find("nonroutable meta-address 0.0.0.0"),
            std::string::npos);
  EXPECT_TRUE(load_ok("listeners=PLAINTEXT://0.0.0.0:9092\nadvertised.listeners=PLAINTEXT://h:9092\n")
                  .advertised_listeners[0].host == "h");
  EXPECT_NE(load_error("listeners=SSL://:9093\n").find("only PLAINTEXT"), std::string::npos);
  EXPECT_NE(load_error("listeners=PLAINTEXT://:notaport\n").find("Unable to parse"), std::string::npos);
}

TEST(BrokerConfig, LogDirs) {
  EXPECT_EQ(load_ok("log.dir=/a\n").log_dirs, std::vector<std::string>{"/a"});
  EXPECT_EQ(load_ok("log.dir=/a\nlog.dirs=/b, /c\n").log_dirs, (std::vector<std::string>{"/b", "/c"}));
  EXPECT_FALSE(load_error("log.dirs=/b,/b\n").empty());
  EXPECT_FALSE(load_error("log.dirs=\n").empty());
}

TEST(BrokerConfig, RunnelSettingsAndAdminAlias) {
  BrokerConfig c = load_ok("runnel.cores=2\nadmin.listeners=http://127.0.0.1:9700\n");
  EXPECT_EQ(c.runnel_cores, 2);
  ASSERT_EQ(c.admin_listeners.size(), 1u);
  EXPECT_EQ(c.admin_listeners[0].port, 9700);
  EXPECT_EQ(c.layers.static_file.at("runnel.admin.listeners"), "http://127.0.0.1:9700");
  EXPECT_FALSE(load_error("runnel.cores=-1\n").empty());
  EXPECT_FALSE(load_error("runnel.admin.listeners=https://:1\n").empty());
}

TEST(BrokerConfig, TieredStorageAndCompactionLagConflicts) {
  EXPECT_FALSE(load_error("remote.log.storage.system.enable=true\n").empty());
  EXPECT_NE(load_error("log.cleaner.min.compaction.lag.ms=10\nlog.cleaner.max.compaction.lag.ms=5\n")
                .find("conflict topic config setting min.compaction.lag.ms (10) > max.compaction.lag.ms (5)"),
            std::string::npos);
}

TEST(BrokerConfig, BrokerLevelTopicDefaultsFlowIntoTopics) {
  BrokerConfig c = load_ok("log.cleanup.policy=compact,delete\ncompression.type=zstd\nmessage.max.bytes=2000\n"
                           "min.insync.replicas=2\nlog.message.timestamp.type=LogAppendTime\n");
  EXPECT_TRUE(c.topic_defaults.cleanup_compact);
  EXPECT_TRUE(c.topic_defaults.cleanup_delete);
  EXPECT_EQ(c.topic_defaults.compression_type, CompressionType::zstd);
  EXPECT_EQ(c.topic_defaults.max_message_bytes, 2000);
  EXPECT_EQ(c.topic_defaults.min_insync_replicas, 2);
  EXPECT_EQ(c.topic_defaults.message_timestamp_type, TimestampType::log_append_time);
}

}  // namespace
}  // namespace runnel::config

namespace runnel::config {
namespace {

// The KRaft combined-mode server.properties shipped with Kafka 4.0 (comments removed) loads,
// warning only about share-group settings Runnel does not know.
TEST(BrokerConfig, KafkaSampleServerPropertiesLoads) {
  const char* sample =
      "process.roles=broker,controller\n"
      "node.id=1\n"
      "controller.quorum.bootstrap.servers=localhost:9093\n"
      "listeners=PLAINTEXT://:9092,CONTROLLER://:9093\n"
      "inter.broker.listener.name=PLAINTEXT\n"
      "advertised.listeners=PLAINTEXT://localhost:9092,CONTROLLER://localhost:9093\n"
      "controller.listener.names=CONTROLLER\n"
      "listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT,SSL:SSL,SASL_PLAINTEXT:SASL_PLAINTEXT,"
      "SASL_SSL:SASL_SSL\n"
      "num.network.threads=3\nnum.io.threads=8\n"
      "socket.send.buffer.bytes=102400\nsocket.receive.buffer.bytes=102400\nsocket.request.max.bytes=104857600\n"
      "log.dirs=/tmp/kraft-combined-logs\nnum.partitions=1\nnum.recovery.threads.per.data.dir=1\n"
      "offsets.topic.replication.factor=1\n"
      "share.coordinator.state.topic.replication.factor=1\nshare.coordinator.state.topic.min.isr=1\n"
      "transaction.state.log.replication.factor=1\ntransaction.state.log.min.isr=1\n"
      "log.retention.hours=168\nlog.segment.bytes=1073741824\nlog.retention.check.interval.ms=300000\n";
  std::vector<std::string> warnings;
  Result<BrokerConfig> r = load(parse_properties(sample).value(), {}, warnings);
  ASSERT_TRUE(r.has_value()) << r.error();
  const BrokerConfig& c = r.value();
  EXPECT_EQ(c.node_id, NodeId(1));
  EXPECT_EQ(c.log_dirs, std::vector<std::string>{"/tmp/kraft-combined-logs"});
  EXPECT_EQ(c.offsets_topic_replication_factor, 1);
  EXPECT_EQ(c.transaction_state_log_min_isr, 1);
  ASSERT_EQ(c.listeners.size(), 2u);
  ASSERT_EQ(c.advertised_listeners.size(), 1u);
  EXPECT_EQ(endpoint_string(c.advertised_listeners[0]), "PLAINTEXT://localhost:9092");
  ASSERT_EQ(warnings.size(), 2u);
  for (const std::string& w : warnings) EXPECT_NE(w.find("share.coordinator"), std::string::npos) << w;
}

}  // namespace
}  // namespace runnel::config
