#pragma once

// ConsumerGroupCoordinator: the consumer group protocol (KIP-848, Kafka's GroupMetadataManager
// for ConsumerGroup) for the groups of one core, next to the classic Coordinator that owns it.
// Same model as the classic side: single-threaded, callback based, time from Timers, durability
// from Journal; the partition checks, classic groups and committed offsets stay in Coordinator
// (a consumer group's offsets live in the classic group entry of the same id, which holds
// nothing else for it).
//
// A heartbeat (ConsumerGroupHeartbeat) runs in one step: validate, create or update the member,
// bump the group epoch if membership, subscriptions or the subscribed topics' metadata changed,
// recompute the target assignment with the server-side assignor if the group epoch moved past the
// assignment epoch, reconcile this member (consumer_group_reconcile.h), then write the changed
// records and answer once they are durable. State is applied in memory before the write; a failed
// write is answered with its error and the client retries (the records of the next successful
// write carry the state forward).
//
// Members leave with epoch -1, static members pause with -2 (they keep their partitions until
// the session timeout), are removed when their session times out, and are fenced when they keep
// partitions they must revoke past their rebalance timeout. Removal bumps the group epoch and
// frees the member's partitions at once; the new target is computed at the next heartbeat of any
// member (as Kafka does), since only a heartbeat brings the current topic metadata.

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "broker/group/consumer_group.h"
#include "broker/group/environment.h"
#include "broker/model/error_code.h"

namespace runnel::group {

class Coordinator;

struct ConsumerGroupConfig {
  int32_t heartbeat_interval_ms = 5000;   // group.consumer.heartbeat.interval.ms
  int32_t session_timeout_ms = 45000;     // group.consumer.session.timeout.ms
  int32_t max_size = 2147483647;          // group.consumer.max.size
  std::vector<std::string> assignors = {"uniform", "range"};  // group.consumer.assignors; first = default
};

struct ConsumerHeartbeatRequest {
  int16_t version = 1;
  std::string group_id;
  std::string member_id;
  int32_t member_epoch = 0;
  std::optional<std::string> instance_id;
  std::optional<std::string> rack_id;
  int32_t rebalance_timeout_ms = -1;
  std::optional<std::vector<std::string>> subscribed_topic_names;
  std::optional<std::string> subscribed_topic_regex;
  std::optional<std::string> server_assignor;
  std::optional<Assignment> owned;  // TopicPartitions: what the member owns now
  std::string client_id;
  std::string client_host;
};

struct ConsumerHeartbeatResult {
  ErrorCode error = ErrorCode::none;
  std::optional<std::string> error_message;
  std::optional<std::string> member_id;
  int32_t member_epoch = 0;
  int32_t heartbeat_interval_ms = 0;
  std::optional<Assignment> assignment;  // only when the member's assignment changed
};
using ConsumerHeartbeatCallback = std::function<void(ConsumerHeartbeatResult)>;

struct ConsumerGroupDescription {
  ErrorCode error = ErrorCode::none;
  std::optional<std::string> error_message;
  std::string group_id;
  std::string state;
  int32_t group_epoch = 0;
  int32_t assignment_epoch = 0;
  std::string assignor;
  struct MemberDescription {
    ConsumerMember member;
    std::vector<std::string> subscribed_topic_names;  // as subscribed (the regex is separate)
    Assignment target;
  };
  std::vector<MemberDescription> members;
};

class ConsumerGroupCoordinator {
 public:
  ConsumerGroupCoordinator(Coordinator& owner, ConsumerGroupConfig config, Timers& timers, Journal& journal);
  ~ConsumerGroupCoordinator();
  ConsumerGroupCoordinator(const ConsumerGroupCoordinator&) = delete;
  ConsumerGroupCoordinator& operator=(const ConsumerGroupCoordinator&) = delete;

  void heartbeat(ConsumerHeartbeatRequest req, const TopicCatalog& topics, ConsumerHeartbeatCallback done);
  ConsumerGroupDescription describe(const std::string& group_id) const;

  const ConsumerGroup* group(const std::string& id) const;
  const std::unordered_map<std::string, std::unique_ptr<ConsumerGroup>>& groups() const { return groups_; }

  // Offsets of a consumer group (called by Coordinator): Kafka's ConsumerGroup
  // validateOffsetCommit / validateOffsetFetch.
  ErrorCode validate_offset_commit(const ConsumerGroup& g, const std::string& member_id, int32_t member_epoch) const;
  ErrorCode validate_offset_fetch(const ConsumerGroup& g, const std::string& member_id, int32_t member_epoch) const;

  // Loading (called from Coordinator::replay/finish_load/unload). replay() returns false for
  // keys that are not consumer-group keys.
  bool replay(int32_t partition, std::string_view key, std::optional<std::string_view> value);
  void finish_load(int32_t partition);
  void unload(int32_t partition);

  // Deletion of an empty group: the tombstones to write, then forget() once written.
  std::vector<JournalRecord> tombstones(const ConsumerGroup& g) const;
  void forget(const std::string& group_id);

 private:
  struct Step;  // one heartbeat's work in progress (consumer_group_heartbeat.cc)

  ConsumerGroup* find(const std::string& id);
  ConsumerGroup& create(const std::string& id);
  bool assignor_enabled(const std::string& name) const;
  ErrorCode join_or_find_member(Step& s);
  void update_member(Step& s, const TopicCatalog& topics);
  void resolve_regexes(ConsumerGroup& g, const TopicCatalog& topics);
  void compute_target(ConsumerGroup& g, std::vector<JournalRecord>& records);
  void reconcile_member(Step& s);
  void leave(ConsumerHeartbeatRequest& req, ConsumerHeartbeatCallback& done);
  void remove_member(ConsumerGroup& g, const std::string& member_id, std::vector<JournalRecord>& records);
  void bump_epoch(ConsumerGroup& g, std::vector<JournalRecord>& records);
  void schedule_session(ConsumerGroup& g, ConsumerMember& m);
  void update_rebalance_timer(ConsumerGroup& g, ConsumerMember& m);
  void on_member_expired(const std::string& group_id, const std::string& member_id, bool fenced);
  void cancel_timers(ConsumerMember& m);
  void write(const ConsumerGroup& g, std::vector<JournalRecord> records, std::function<void(ErrorCode)> done);

  Coordinator& owner_;
  ConsumerGroupConfig config_;
  Timers& timers_;
  Journal& journal_;
  std::unordered_map<std::string, std::unique_ptr<ConsumerGroup>> groups_;
};

}  // namespace runnel::group
