#include "broker/config/topic_config_defs.h"

namespace runnel::config {

namespace {

constexpr int64_t kMinute = 60'000;
constexpr int64_t kHour = 3'600'000;
constexpr const char* kLongMax = "9223372036854775807";

TopicConfigDef topic(std::string_view name, ConfigType type, const char* dflt, Validator v,
                     std::vector<BrokerSynonym> synonyms, std::string_view doc) {
  return TopicConfigDef{
      ConfigDef{name, type, std::string_view(dflt), std::move(v), Importance::medium, UpdateMode::cluster_wide, doc},
      std::move(synonyms)};
}

std::vector<TopicConfigDef> build() {
  using T = ConfigType;
  const Validator none = no_validator();
  return {
      topic("cleanup.policy", T::list, "delete", list_of({"compact", "delete"}), {{"log.cleanup.policy"}},
            "delete drops old segments by time or size; compact keeps the latest record per key; both may be listed."),
      topic("compression.gzip.level", T::int_, "-1", gzip_level(), {{"compression.gzip.level"}},
            "gzip level used when compression.type is gzip."),
      topic("compression.lz4.level", T::int_, "9", between(1, 17), {{"compression.lz4.level"}},
            "lz4 level used when compression.type is lz4."),
      topic("compression.type", T::string, "producer",
            one_of({"uncompressed", "zstd", "lz4", "snappy", "gzip", "producer"}), {{"compression.type"}},
            "Codec batches are stored with; producer keeps whatever the producer used."),
      topic("compression.zstd.level", T::int_, "3", between(-131072, 22), {{"compression.zstd.level"}},
            "zstd level used when compression.type is zstd."),
      topic("delete.retention.ms", T::long_, "86400000", at_least(0), {{"log.cleaner.delete.retention.ms"}},
            "How long tombstones survive compaction, so slow readers still see deletes."),
      topic("file.delete.delay.ms", T::long_, "60000", at_least(0), {{"log.segment.delete.delay.ms"}},
            "Delay between dropping a segment from the log and deleting its files."),
      topic("flush.messages", T::long_, kLongMax, at_least(1), {{"log.flush.interval.messages"}},
            "Records appended before the partition is fsynced."),
      topic("flush.ms", T::long_, kLongMax, at_least(0),
            {{"log.flush.interval.ms"}, {"log.flush.scheduler.interval.ms"}},
            "Longest time appended data may stay unsynced."),
      topic("follower.replication.throttled.replicas", T::list, "", throttled_replicas(), {},
            "Replicas whose follower-side replication is throttled (partition:broker pairs or *)."),
      topic("index.interval.bytes", T::int_, "4096", at_least(0), {{"log.index.interval.bytes"}},
            "Bytes of records between two offset index entries."),
      topic("leader.replication.throttled.replicas", T::list, "", throttled_replicas(), {},
            "Replicas whose leader-side replication is throttled (partition:broker pairs or *)."),
      topic("local.retention.bytes", T::long_, "-2", at_least(-2), {{"log.local.retention.bytes"}},
            "Tiered storage only: local size limit; -2 follows retention.bytes."),
      topic("local.retention.ms", T::long_, "-2", at_least(-2), {{"log.local.retention.ms"}},
            "Tiered storage only: local time limit; -2 follows retention.ms."),
      topic("max.compaction.lag.ms", T::long_, kLongMax, at_least(1), {{"log.cleaner.max.compaction.lag.ms"}},
            "Longest a record may stay uncompacted."),
      topic("max.message.bytes", T::int_, "1048588", at_least(0), {{"message.max.bytes"}},
            "Largest record batch (after compression) accepted for this topic."),
      topic("message.downconversion.enable", T::boolean, "true", none, {{"log.message.downconversion.enable"}},
            "Legacy down-conversion switch, accepted for compatibility; Runnel serves only record format v2."),
      topic("message.timestamp.after.max.ms", T::long_, kLongMax, at_least(0),
            {{"log.message.timestamp.after.max.ms"}},
            "How far ahead of the broker clock a CreateTime timestamp may be."),
      topic("message.timestamp.before.max.ms", T::long_, kLongMax, at_least(0),
            {{"log.message.timestamp.before.max.ms"}},
            "How far behind the broker clock a CreateTime timestamp may be."),
      topic("message.timestamp.type", T::string, "CreateTime", one_of({"CreateTime", "LogAppendTime"}),
            {{"log.message.timestamp.type"}},
            "CreateTime keeps the producer's timestamps; LogAppendTime stamps batches with the broker clock."),
      topic("min.cleanable.dirty.ratio", T::double_, "0.5", between(0, 1), {{"log.cleaner.min.cleanable.ratio"}},
            "Share of uncompacted bytes that triggers compaction."),
      topic("min.compaction.lag.ms", T::long_, "0", at_least(0), {{"log.cleaner.min.compaction.lag.ms"}},
            "Youngest a record may be and still be compacted away."),
      topic("min.insync.replicas", T::int_, "1", at_least(1), {{"min.insync.replicas"}},
            "In-sync replicas required for an acks=all produce to succeed."),
      topic("preallocate", T::boolean, "false", none, {{"log.preallocate"}},
            "Allocate segment files at full size on creation."),
      topic("remote.log.copy.disable", T::boolean, "false", none, {},
            "Tiered storage only: stop copying segments to remote storage."),
      topic("remote.log.delete.on.disable", T::boolean, "false", none, {},
            "Tiered storage only: delete remote data when tiering is disabled."),
      topic("remote.storage.enable", T::boolean, "false", none, {},
            "Tiered storage switch. Runnel has no tiered storage, so true is rejected as Kafka does when it is off."),
      topic("retention.bytes", T::long_, "-1", none, {{"log.retention.bytes"}},
            "Size a partition may grow to before old segments are deleted; -1 is unlimited."),
      topic("retention.ms", T::long_, "604800000", at_least(-1),
            {{"log.retention.ms"}, {"log.retention.minutes", kMinute}, {"log.retention.hours", kHour}},
            "How long data is kept before deletion; -1 keeps it forever."),
      topic("segment.bytes", T::int_, "1073741824", at_least(1048576), {{"log.segment.bytes"}},
            "Size at which the active segment is rolled."),
      topic("segment.index.bytes", T::int_, "10485760", at_least(4), {{"log.index.size.max.bytes"}},
            "Largest size of a segment's index files."),
      topic("segment.jitter.ms", T::long_, "0", at_least(0),
            {{"log.roll.jitter.ms"}, {"log.roll.jitter.hours", kHour}},
            "Random amount subtracted from segment.ms so partitions do not roll together."),
      topic("segment.ms", T::long_, "604800000", at_least(1), {{"log.roll.ms"}, {"log.roll.hours", kHour}},
            "Age at which the active segment is rolled even if not full."),
      topic("unclean.leader.election.enable", T::boolean, "false", none, {{"unclean.leader.election.enable"}},
            "Allow an out-of-sync replica to become leader, losing acknowledged data."),
  };
}

}  // namespace

std::span<const TopicConfigDef> topic_config_defs() {
  static const std::vector<TopicConfigDef> table = build();
  return table;
}

const TopicConfigDef* find_topic_config_def(std::string_view name) {
  for (const TopicConfigDef& t : topic_config_defs()) {
    if (t.def.name == name) return &t;
  }
  return nullptr;
}

}  // namespace runnel::config
