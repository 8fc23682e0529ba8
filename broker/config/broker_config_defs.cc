#include "broker/config/broker_config_defs.h"

#include <vector>

namespace runnel::config {

namespace {

constexpr auto kBool = ConfigType::boolean;
constexpr auto kString = ConfigType::string;
constexpr auto kInt = ConfigType::int_;
constexpr auto kShort = ConfigType::short_;
constexpr auto kLong = ConfigType::long_;
constexpr auto kDouble = ConfigType::double_;
constexpr auto kList = ConfigType::list;
constexpr auto kHigh = Importance::high;
constexpr auto kMedium = Importance::medium;
constexpr auto kLow = Importance::low;
constexpr auto kReadOnly = UpdateMode::read_only;
constexpr auto kPerBroker = UpdateMode::per_broker;
constexpr auto kCluster = UpdateMode::cluster_wide;

constexpr const char* kNull = nullptr;
constexpr const char* kLongMax = "9223372036854775807";
constexpr const char* kIntMax = "2147483647";

ConfigDef def(std::string_view name, ConfigType type, const char* dflt, Validator v, Importance imp,
              UpdateMode mode, std::string_view doc) {
  std::optional<std::string_view> d;
  if (dflt != nullptr) d = dflt;
  return ConfigDef{name, type, d, std::move(v), imp, mode, doc};
}

std::vector<ConfigDef> build() {
  const Validator none = no_validator();
  return {
      // --- Node identity and roles (KRaft) ---
      def("process.roles", kList, "broker,controller", list_of({"broker", "controller"}), kHigh, kReadOnly,
          "Roles this node plays: broker, controller, or both (combined mode). With controller.quorum.voters set (a static quorum), a controller must be one of the voters; in a dynamic quorum (formatted --standalone, --initial-controllers or --no-initial-controllers) a controller is an observer until kafka-metadata-quorum add-controller makes it a voter. A broker-only node follows the metadata log as an observer."),
      def("node.id", kInt, "-1", none, kHigh, kReadOnly,
          "Id of this node. If neither node.id nor broker.id is set, Runnel uses 0."),
      def("broker.id", kInt, "-1", none, kHigh, kReadOnly,
          "Legacy name for node.id; if both are set they must be equal."),
      def("broker.rack", kString, kNull, none, kMedium, kReadOnly,
          "Rack (or zone) label reported to clients in Metadata."),
      def("controller.listener.names", kString, kNull, none, kHigh, kReadOnly,
          "Names of listeners used by the controller quorum. Accepted; listeners named here are not served to clients."),
      def("controller.quorum.voters", kList, "", none, kHigh, kReadOnly,
          "Static controller quorum voters (id@host:port,...): the nodes that run the metadata quorum and elect its leader."),
      def("controller.quorum.election.timeout.ms", kInt, "1000", at_least(1), kHigh, kReadOnly,
          "How long a voter waits without a leader before it stands for election (plus up to 100% random jitter)."),
      def("controller.quorum.fetch.timeout.ms", kInt, "2000", at_least(1), kHigh, kReadOnly,
          "How long a voter follows a leader that does not answer its fetches before it stands for election."),
      def("controller.quorum.request.timeout.ms", kInt, "2000", at_least(1), kMedium, kReadOnly,
          "How long a quorum request waits for its answer before it is sent again."),
      def("controller.quorum.election.backoff.max.ms", kInt, "1000", at_least(1), kHigh, kReadOnly,
          "The longest wait before standing again after a lost election (the wait doubles with each)."),
      def("broker.heartbeat.interval.ms", kInt, "2000", at_least(1), kMedium, kReadOnly,
          "How often a broker sends a heartbeat to the active controller."),
      def("broker.session.timeout.ms", kInt, "9000", at_least(1), kMedium, kReadOnly,
          "A broker that has sent no heartbeat for this long is fenced: its partitions get new leaders."),
      def("controller.quorum.retry.backoff.ms", kInt, "20", at_least(0), kLow, kReadOnly,
          "The wait before a quorum request is retried after an error answer."),
      def("controller.quorum.bootstrap.servers", kList, "", none, kHigh, kReadOnly,
          "Controller endpoints (host:port,...) through which a node of a dynamic quorum finds the leader when it "
          "knows no voter yet (formatted --no-initial-controllers, or a broker-only node); the voters themselves come "
          "from the metadata log."),
      def("metadata.log.dir", kString, kNull, none, kHigh, kReadOnly,
          "Directory of the cluster metadata log; the first of log.dirs when unset."),
      def("metadata.log.max.record.bytes.between.snapshots", kLong, "20971520", at_least(1), kHigh, kReadOnly,
          "How many bytes of metadata records a node applies before it writes a new snapshot of the metadata image "
          "and trims the metadata log behind it."),
      def("metadata.log.max.snapshot.interval.ms", kLong, "3600000", at_least(0), kHigh, kReadOnly,
          "The longest a node waits before it snapshots metadata records it has applied, however few; 0 turns the "
          "time-based snapshot off."),
      def("metadata.max.idle.interval.ms", kInt, "500", at_least(0), kLow, kReadOnly,
          "How often the active controller appends a no-op record to the metadata log when nothing else was "
          "appended, so that every broker's committed offset keeps moving; 0 turns it off."),

      // --- Listeners and sockets ---
      def("listeners", kList, "PLAINTEXT://:9092", none, kHigh, kPerBroker,
          "Comma-separated NAME://host:port endpoints to accept Kafka clients on. Empty host binds all interfaces."),
      def("advertised.listeners", kList, kNull, none, kHigh, kPerBroker,
          "Endpoints published to clients in Metadata, if different from listeners. 0.0.0.0 may not be advertised."),
      def("listener.security.protocol.map", kString,
          "SASL_SSL:SASL_SSL,PLAINTEXT:PLAINTEXT,SSL:SSL,SASL_PLAINTEXT:SASL_PLAINTEXT", none, kLow, kPerBroker,
          "Maps listener names to security protocols (NAME:PROTOCOL,...). Runnel serves PLAINTEXT only."),
      def("inter.broker.listener.name", kString, kNull, none, kMedium, kReadOnly,
          "Listener used between brokers. Defaults to the listener of security.inter.broker.protocol."),
      def("security.inter.broker.protocol", kString, "PLAINTEXT",
          one_of({"PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"}), kMedium, kReadOnly,
          "Security protocol between brokers when inter.broker.listener.name is unset."),
      def("socket.send.buffer.bytes", kInt, "102400", none, kHigh, kReadOnly,
          "SO_SNDBUF of client sockets; -1 keeps the OS default."),
      def("socket.receive.buffer.bytes", kInt, "102400", none, kHigh, kReadOnly,
          "SO_RCVBUF of client sockets; -1 keeps the OS default."),
      def("socket.request.max.bytes", kInt, "104857600", at_least(1), kHigh, kReadOnly,
          "Largest request (size prefix) accepted; larger ones close the connection."),
      def("socket.listen.backlog.size", kInt, "50", at_least(1), kMedium, kReadOnly,
          "Backlog passed to listen(2)."),
      def("max.connections", kInt, kIntMax, at_least(0), kMedium, kCluster,
          "Upper bound on open client connections for the whole broker."),
      def("max.connections.per.ip", kInt, kIntMax, at_least(0), kMedium, kCluster,
          "Upper bound on open connections from one IP address."),
      def("connections.max.idle.ms", kLong, "600000", none, kMedium, kReadOnly,
          "Connections idle for longer than this are closed."),
      def("queued.max.requests", kInt, "500", at_least(1), kHigh, kReadOnly,
          "Requests that may wait for processing before the broker stops reading from sockets."),
      def("num.network.threads", kInt, "3", at_least(1), kHigh, kCluster,
          "Kafka's network thread count. Accepted; Runnel uses runnel.cores ring threads instead."),
      def("num.io.threads", kInt, "8", at_least(1), kHigh, kCluster,
          "Kafka's request handler thread count. Accepted; Runnel uses runnel.cores ring threads instead."),
      def("background.threads", kInt, "10", at_least(1), kHigh, kCluster,
          "Kafka's background thread count. Accepted for compatibility."),
      def("request.timeout.ms", kInt, "30000", none, kHigh, kReadOnly,
          "Timeout for requests the broker itself sends."),

      // --- Topic creation and deletion ---
      def("num.partitions", kInt, "1", at_least(1), kMedium, kReadOnly,
          "Partition count for topics created without an explicit count (including auto-created ones)."),
      def("default.replication.factor", kInt, "1", none, kMedium, kReadOnly,
          "Replication factor for topics created without an explicit factor."),
      def("auto.create.topics.enable", kBool, "true", none, kHigh, kReadOnly,
          "Create a topic when a client asks for metadata of a topic that does not exist."),
      def("delete.topic.enable", kBool, "true", none, kHigh, kReadOnly,
          "Allow DeleteTopics; when false it fails with TOPIC_DELETION_DISABLED."),

      // --- Log storage (defaults for the topic-level configs) ---
      def("log.dir", kList, "./data", none, kHigh, kReadOnly,
          "Data directory, used when log.dirs is unset. Runnel's default is ./data (Kafka: /tmp/kafka-logs)."),
      def("log.dirs", kList, kNull, none, kHigh, kReadOnly,
          "Comma-separated data directories. Overrides log.dir."),
      def("log.segment.bytes", kInt, "1073741824", at_least(1048576), kHigh, kCluster,
          "Size at which the active segment is rolled."),
      def("log.roll.ms", kLong, kNull, none, kHigh, kCluster,
          "Age at which the active segment is rolled. Overrides log.roll.hours."),
      def("log.roll.hours", kInt, "168", at_least(1), kHigh, kReadOnly,
          "Age, in hours, at which the active segment is rolled, if log.roll.ms is unset."),
      def("log.roll.jitter.ms", kLong, kNull, none, kHigh, kCluster,
          "Random amount subtracted from the roll age so segments do not all roll at once. Overrides log.roll.jitter.hours."),
      def("log.roll.jitter.hours", kInt, "0", at_least(0), kHigh, kReadOnly,
          "Roll jitter in hours, if log.roll.jitter.ms is unset."),
      def("log.retention.ms", kLong, kNull, none, kHigh, kCluster,
          "How long to keep data before deleting it; -1 keeps it forever. Overrides log.retention.minutes and .hours."),
      def("log.retention.minutes", kInt, kNull, none, kHigh, kReadOnly,
          "Retention in minutes, if log.retention.ms is unset. Overrides log.retention.hours."),
      def("log.retention.hours", kInt, "168", none, kHigh, kReadOnly,
          "Retention in hours, used when neither log.retention.ms nor log.retention.minutes is set."),
      def("log.retention.bytes", kLong, "-1", none, kHigh, kCluster,
          "Largest size a partition may reach before old segments are deleted; -1 means no limit."),
      def("log.retention.check.interval.ms", kLong, "300000", at_least(1), kMedium, kReadOnly,
          "How often retention is enforced."),
      def("log.segment.delete.delay.ms", kLong, "60000", at_least(0), kHigh, kCluster,
          "Delay between removing a segment from the log and deleting its files."),
      def("log.index.size.max.bytes", kInt, "10485760", at_least(4), kMedium, kCluster,
          "Largest size of a segment's offset and time index files."),
      def("log.index.interval.bytes", kInt, "4096", at_least(0), kMedium, kCluster,
          "Bytes of records between two offset index entries."),
      def("log.flush.interval.messages", kLong, kLongMax, at_least(1), kHigh, kCluster,
          "Records appended to a partition before it is fsynced."),
      def("log.flush.interval.ms", kLong, kNull, none, kHigh, kCluster,
          "Longest time data may stay unsynced. Defaults to log.flush.scheduler.interval.ms."),
      def("log.flush.scheduler.interval.ms", kLong, kLongMax, none, kHigh, kReadOnly,
          "How often the flusher checks whether a log needs an fsync."),
      def("log.flush.offset.checkpoint.interval.ms", kInt, "60000", at_least(0), kHigh, kReadOnly,
          "How often the recovery point checkpoint is written."),
      def("log.preallocate", kBool, "false", none, kMedium, kCluster,
          "Preallocate segment files at their full size when they are created."),
      def("num.recovery.threads.per.data.dir", kInt, "1", at_least(1), kHigh, kCluster,
          "Threads per data directory for recovery at startup and flushing at shutdown."),
      def("log.cleanup.policy", kList, "delete", list_of({"compact", "delete"}), kMedium, kCluster,
          "Default cleanup policy: delete old segments, compact by key, or both."),
      def("log.cleaner.enable", kBool, "true", none, kMedium, kReadOnly,
          "Run the log cleaner that compacts topics with cleanup.policy=compact."),
      def("log.cleaner.threads", kInt, "1", at_least(0), kMedium, kCluster,
          "Threads used for compaction."),
      def("log.cleaner.backoff.ms", kLong, "15000", at_least(0), kMedium, kCluster,
          "Sleep between cleaner passes when there is nothing to clean."),
      def("log.cleaner.dedupe.buffer.size", kLong, "134217728", at_least(1 << 20), kMedium, kCluster,
          "Memory for the cleaners' key -> offset maps, shared by all cleaner threads."),
      def("log.cleaner.io.buffer.size", kInt, "524288", at_least(4096), kMedium, kCluster,
          "Write buffer of one cleaning."),
      def("log.cleaner.delete.retention.ms", kLong, "86400000", at_least(0), kMedium, kCluster,
          "How long tombstones are kept in compacted topics."),
      def("log.cleaner.min.cleanable.ratio", kDouble, "0.5", between(0, 1), kMedium, kCluster,
          "Minimum share of uncompacted (dirty) bytes before a log is compacted."),
      def("log.cleaner.min.compaction.lag.ms", kLong, "0", at_least(0), kMedium, kCluster,
          "Minimum age of a record before it may be compacted away."),
      def("log.cleaner.max.compaction.lag.ms", kLong, kLongMax, at_least(1), kMedium, kCluster,
          "Maximum age of a record before its segment becomes eligible for compaction."),
      def("log.message.timestamp.type", kString, "CreateTime", one_of({"CreateTime", "LogAppendTime"}), kMedium,
          kCluster, "Whether stored timestamps are the producer's (CreateTime) or the broker's (LogAppendTime)."),
      def("log.message.timestamp.before.max.ms", kLong, kLongMax, at_least(0), kMedium, kCluster,
          "How far in the past a CreateTime timestamp may be before the batch is rejected."),
      def("log.message.timestamp.after.max.ms", kLong, kLongMax, at_least(0), kMedium, kCluster,
          "How far in the future a CreateTime timestamp may be before the batch is rejected."),
      def("log.message.downconversion.enable", kBool, "true", none, kLow, kCluster,
          "Legacy down-conversion switch. Accepted; Runnel serves only the v2 record format."),
      def("log.local.retention.ms", kLong, "-2", at_least(-2), kMedium, kCluster,
          "Tiered storage local retention. Accepted; Runnel has no tiered storage."),
      def("log.local.retention.bytes", kLong, "-2", at_least(-2), kMedium, kCluster,
          "Tiered storage local retention size. Accepted; Runnel has no tiered storage."),
      def("remote.log.storage.system.enable", kBool, "false", none, kMedium, kReadOnly,
          "Tiered storage switch. Runnel has no tiered storage; true is rejected."),
      def("compression.type", kString, "producer",
          one_of({"uncompressed", "zstd", "lz4", "snappy", "gzip", "producer"}), kHigh, kCluster,
          "Codec batches are stored with; producer keeps the producer's codec."),
      def("compression.gzip.level", kInt, "-1", gzip_level(), kMedium, kCluster,
          "gzip level when compression.type is gzip."),
      def("compression.lz4.level", kInt, "9", between(1, 17), kMedium, kCluster,
          "lz4 level when compression.type is lz4."),
      def("compression.zstd.level", kInt, "3", between(-131072, 22), kMedium, kCluster,
          "zstd level when compression.type is zstd."),
      def("message.max.bytes", kInt, "1048588", at_least(0), kHigh, kCluster,
          "Largest record batch the broker accepts (topic override: max.message.bytes)."),
      def("min.insync.replicas", kInt, "1", at_least(1), kHigh, kCluster,
          "Replicas that must have a write before an acks=all produce succeeds."),
      def("unclean.leader.election.enable", kBool, "false", none, kHigh, kCluster,
          "Allow an out-of-sync replica to become leader, losing data."),

      // --- Replication and fetch ---
      def("replica.fetch.max.bytes", kInt, "1048576", at_least(0), kMedium, kReadOnly,
          "Bytes a follower asks for per partition."),
      def("replica.lag.time.max.ms", kLong, "30000", none, kHigh, kReadOnly,
          "A follower that has not caught up for this long leaves the ISR."),
      def("fetch.max.bytes", kInt, "57671680", at_least(1024), kMedium, kReadOnly,
          "Upper bound on the bytes returned by one Fetch response."),
      def("max.incremental.fetch.session.cache.slots", kInt, "1000", at_least(0), kMedium, kReadOnly,
          "Incremental fetch sessions kept by the broker."),

      // --- Group coordinator ---
      def("offsets.topic.num.partitions", kInt, "50", at_least(1), kHigh, kReadOnly,
          "Partitions of __consumer_offsets; do not change after the topic exists."),
      def("offsets.topic.replication.factor", kShort, "3", at_least(1), kHigh, kReadOnly,
          "Replication factor of __consumer_offsets."),
      def("offsets.topic.segment.bytes", kInt, "104857600", at_least(1), kHigh, kReadOnly,
          "Segment size of __consumer_offsets, kept small so compaction and loading are fast."),
      def("offsets.retention.minutes", kInt, "10080", at_least(1), kHigh, kReadOnly,
          "How long committed offsets of an empty group are kept."),
      def("offsets.retention.check.interval.ms", kLong, "600000", at_least(1), kHigh, kReadOnly,
          "How often expired offsets are removed."),
      def("offsets.commit.timeout.ms", kInt, "5000", at_least(1), kHigh, kReadOnly,
          "How long an offset commit waits for the offsets topic write."),
      def("offset.metadata.max.bytes", kInt, "4096", none, kHigh, kReadOnly,
          "Largest metadata string allowed with a committed offset."),
      def("group.initial.rebalance.delay.ms", kInt, "3000", none, kMedium, kReadOnly,
          "Wait for more members before the first rebalance of a new group."),
      def("group.min.session.timeout.ms", kInt, "6000", none, kMedium, kReadOnly,
          "Smallest session timeout a classic group member may ask for."),
      def("group.max.session.timeout.ms", kInt, "1800000", none, kMedium, kReadOnly,
          "Largest session timeout a classic group member may ask for."),
      def("group.max.size", kInt, kIntMax, at_least(1), kMedium, kReadOnly,
          "Most members one classic group may have."),
      def("group.consumer.heartbeat.interval.ms", kInt, "5000", at_least(1), kMedium, kReadOnly,
          "Heartbeat interval given to members of consumer-protocol (KIP-848) groups."),
      def("group.consumer.min.heartbeat.interval.ms", kInt, "5000", at_least(1), kMedium, kReadOnly,
          "Smallest allowed group.consumer.heartbeat.interval.ms."),
      def("group.consumer.max.heartbeat.interval.ms", kInt, "15000", at_least(1), kMedium, kReadOnly,
          "Largest allowed group.consumer.heartbeat.interval.ms."),
      def("group.consumer.session.timeout.ms", kInt, "45000", at_least(1), kMedium, kReadOnly,
          "A consumer-protocol group member silent for this long is removed."),
      def("group.consumer.min.session.timeout.ms", kInt, "45000", at_least(1), kMedium, kReadOnly,
          "Smallest allowed group.consumer.session.timeout.ms."),
      def("group.consumer.max.session.timeout.ms", kInt, "60000", at_least(1), kMedium, kReadOnly,
          "Largest allowed group.consumer.session.timeout.ms."),
      def("group.consumer.max.size", kInt, kIntMax, at_least(1), kMedium, kReadOnly,
          "Most members one consumer-protocol group may have."),
      def("group.consumer.assignors", kList, "uniform,range", list_of({"uniform", "range"}), kMedium, kReadOnly,
          "Server-side assignors of consumer-protocol groups; the first is the default."),

      // --- Transactions and idempotence ---
      def("transaction.state.log.num.partitions", kInt, "50", at_least(1), kHigh, kReadOnly,
          "Partitions of __transaction_state."),
      def("transaction.state.log.replication.factor", kShort, "3", at_least(1), kHigh, kReadOnly,
          "Replication factor of __transaction_state."),
      def("transaction.state.log.min.isr", kInt, "2", at_least(1), kHigh, kReadOnly,
          "min.insync.replicas of __transaction_state."),
      def("transaction.state.log.segment.bytes", kInt, "104857600", at_least(1), kHigh, kReadOnly,
          "Segment size of __transaction_state."),
      def("transaction.max.timeout.ms", kInt, "900000", at_least(1), kHigh, kReadOnly,
          "Largest transaction timeout a producer may ask for."),
      def("transactional.id.expiration.ms", kInt, "604800000", at_least(1), kHigh, kReadOnly,
          "A transactional id unused for this long is forgotten."),
      def("transaction.abort.timed.out.transaction.cleanup.interval.ms", kInt, "10000", at_least(1), kLow,
          kReadOnly, "How often timed-out transactions are aborted."),
      def("transaction.remove.expired.transaction.cleanup.interval.ms", kInt, "3600000", at_least(1), kLow,
          kReadOnly, "How often expired transactional ids are removed."),
      def("transaction.partition.verification.enable", kBool, "true", none, kLow, kCluster,
          "Check that a partition was added to the transaction before accepting transactional writes."),
      def("producer.id.expiration.ms", kInt, "86400000", at_least(1), kLow, kCluster,
          "A producer id with no writes for this long is forgotten by partition leaders."),

      // --- Runnel-specific ---
      def("runnel.cores", kInt, "0", at_least(0), kHigh, kReadOnly,
          "Number of io_uring ring threads (one per core); 0 uses every available core."),
      def("runnel.admin.listeners", kList, "http://0.0.0.0:9644", none, kMedium, kReadOnly,
          "HTTP endpoints of the admin API (health, metrics). Also accepted as admin.listeners."),
      def("runnel.admin.liveness.timeout.ms", kInt, "5000", at_least(1), kLow, kReadOnly,
          "/healthz fails when a serving ring thread has not run its heartbeat for this long."),
      def("runnel.admin.test.hooks.enable", kBool, "false", none, kLow, kReadOnly,
          "Enables admin API test hooks (POST /v1/debug/stall). Never in production."),
      def("runnel.metrics.partition.series.max", kInt, "1000", at_least(0), kMedium, kReadOnly,
          "Cap on partitions exported with per-partition metric series (and on consumer-group "
          "partition series); partitions beyond it, in (topic, partition) order, are only counted in "
          "runnel_metrics_partitions_omitted."),
  };
}

}  // namespace

std::span<const ConfigDef> broker_config_defs() {
  static const std::vector<ConfigDef> table = build();
  return table;
}

const ConfigDef* find_broker_config_def(std::string_view name) {
  for (const ConfigDef& d : broker_config_defs()) {
    if (d.name == name) return &d;
  }
  return nullptr;
}

std::string_view canonical_broker_config_name(std::string_view name) {
  if (name == "admin.listeners") return "runnel.admin.listeners";
  return name;
}

}  // namespace runnel::config
