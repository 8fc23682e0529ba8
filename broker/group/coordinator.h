#pragma once

// Coordinator: the classic group protocol (Kafka's GroupCoordinator with ClassicGroup) for the
// groups whose __consumer_offsets partitions one core owns. Single-threaded, callback based,
// free of I/O: time and timers come from Timers, durability from Journal (environment.h),
// so every transition is unit-tested with a fake clock (tests/unit/group/).
//
// JoinGroup and SyncGroup answer later (when the rebalance completes), hence callbacks; every
// callback is called exactly once. Answers never run inside the call that registered them
// unless the answer is immediate; a caller that resumes coroutines from a callback must defer
// (the server glue posts to its ring) because the coordinator may still be mid-transition.
//
// Partitions: each group lives in one __consumer_offsets partition. A partition must be loaded
// (replay() of its records, then finish_load()) before its groups answer; until then requests
// get COORDINATOR_LOAD_IN_PROGRESS, and requests for partitions never begun get NOT_COORDINATOR.

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "broker/group/classic_group.h"
#include "broker/group/consumer_group_coordinator.h"
#include "broker/group/environment.h"
#include "broker/group/records.h"

namespace runnel::group {

struct CoordinatorConfig {
  int32_t offsets_partitions = 50;
  int32_t min_session_timeout_ms = 6000;
  int32_t max_session_timeout_ms = 1800000;
  int32_t initial_rebalance_delay_ms = 3000;
  int32_t max_group_size = 2147483647;
  int32_t offset_metadata_max_bytes = 4096;
  int64_t offsets_retention_ms = 7LL * 24 * 3600 * 1000;
  // __consumer_offsets' max.message.bytes (Kafka: message.max.bytes, default 1048588): a write
  // whose record batch would be larger fails with MESSAGE_TOO_LARGE before reaching the log.
  int32_t max_record_batch_bytes = 1048588;
  ConsumerGroupConfig consumer;  // group.consumer.* (KIP-848 groups)
};

struct JoinRequest {
  std::string group_id;
  std::string member_id;
  std::optional<std::string> instance_id;
  std::string client_id;
  std::string client_host;
  int32_t session_timeout_ms = 0;
  int32_t rebalance_timeout_ms = -1;  // -1 (v0): the session timeout
  std::string protocol_type;
  std::vector<Protocol> protocols;
  bool require_known_member_id = false;  // v4+ (KIP-394)
  bool supports_skip_assignment = false;  // v9+
};

struct SyncRequest {
  std::string group_id;
  int32_t generation = 0;
  std::string member_id;
  std::optional<std::string> instance_id;
  std::optional<std::string> protocol_type;
  std::optional<std::string> protocol_name;
  std::vector<std::pair<std::string, std::vector<uint8_t>>> assignments;
};

struct LeaveMember {
  std::string member_id;
  std::optional<std::string> instance_id;
};
struct LeaveResult {
  ErrorCode error = ErrorCode::none;             // group level
  std::vector<ErrorCode> members;                 // per LeaveMember
};

struct OffsetCommitPartition {
  TopicPartition tp;
  int64_t offset = 0;
  int32_t leader_epoch = -1;
  std::optional<std::string> metadata;
};
struct OffsetCommitRequest {
  std::string group_id;
  int32_t generation = -1;
  std::string member_id;
  std::optional<std::string> instance_id;
  std::vector<OffsetCommitPartition> partitions;
  int16_t api_version = 0;  // v9+: an unknown group with generation >= 0 is GROUP_ID_NOT_FOUND
};
using CommitCallback = std::function<void(std::vector<ErrorCode>)>;  // per partition

struct FetchedOffset {
  TopicPartition tp;
  CommittedOffset offset;  // offset -1: none committed
};
struct OffsetFetchResult {
  ErrorCode error = ErrorCode::none;
  std::vector<FetchedOffset> offsets;
};

struct GroupDescription {
  ErrorCode error = ErrorCode::none;
  std::string group_id;
  std::string state;
  std::string protocol_type;
  std::string protocol_data;
  struct MemberDescription {
    std::string member_id;
    std::optional<std::string> instance_id;
    std::string client_id;
    std::string client_host;
    std::vector<uint8_t> metadata;
    std::vector<uint8_t> assignment;
  };
  std::vector<MemberDescription> members;
};

struct GroupListing {
  std::string group_id;
  std::string protocol_type;
  std::string state;
  std::string type = "classic";  // or "consumer" (KIP-848)
};

// OffsetFetch v9+ from a member of a consumer-protocol group.
struct FetchingMember {
  std::string member_id;
  int32_t member_epoch = -1;
};

class Coordinator {
 public:
  Coordinator(CoordinatorConfig config, Timers& timers, Journal& journal);
  ~Coordinator();
  Coordinator(const Coordinator&) = delete;
  Coordinator& operator=(const Coordinator&) = delete;

  int32_t partition_for(const std::string& group_id) const;

  // Loading of one __consumer_offsets partition.
  void begin_load(int32_t partition);
  void replay(int32_t partition, std::string_view key, std::optional<std::string_view> value);
  void finish_load(int32_t partition);
  bool is_loaded(int32_t partition) const;
  bool is_known(int32_t partition) const;
  // Drops a partition's groups (this core no longer coordinates them). Pending callbacks get
  // NOT_COORDINATOR.
  void unload(int32_t partition);

  void join(JoinRequest req, JoinCallback done);
  void sync(SyncRequest req, SyncCallback done);
  ErrorCode heartbeat(const std::string& group_id, const std::string& member_id,
                      const std::optional<std::string>& instance_id, int32_t generation);
  LeaveResult leave(const std::string& group_id, const std::vector<LeaveMember>& members);

  void commit_offsets(OffsetCommitRequest req, CommitCallback done);
  // `partitions` nullopt: every committed offset of the group.
  OffsetFetchResult fetch_offsets(const std::string& group_id,
                                  const std::optional<std::vector<TopicPartition>>& partitions,
                                  const std::optional<FetchingMember>& member = std::nullopt);
  // OffsetDelete: group-level error, and per-partition errors.
  void delete_offsets(const std::string& group_id, std::vector<TopicPartition> partitions,
                      std::function<void(ErrorCode, std::vector<ErrorCode>)> done);

  GroupDescription describe(const std::string& group_id);
  std::vector<GroupListing> list(int32_t partition) const;
  void delete_group(const std::string& group_id, std::function<void(ErrorCode)> done);

  // offsets.retention.minutes: drops expired offsets of empty groups (and such groups once
  // they hold none). Returns how many offsets expired.
  size_t expire_offsets();

  const ClassicGroup* group(const std::string& id) const;
  const CoordinatorConfig& config() const { return config_; }
  // The consumer-protocol (KIP-848) groups of the same partitions.
  ConsumerGroupCoordinator& consumer_groups() { return *consumer_; }
  const ConsumerGroupCoordinator& consumer_groups() const { return *consumer_; }

 private:
  friend class ConsumerGroupCoordinator;  // partition checks and the classic group of an id

  enum class Load : uint8_t { loading, loaded };

  ErrorCode check_partition(const std::string& group_id) const;
  ClassicGroup* find(const std::string& id);
  ClassicGroup& get_or_create(const std::string& id);
  void transition(ClassicGroup& g, GroupState to);
  void remove_group(const std::string& id);
  void delete_consumer_group(const ConsumerGroup& cg, std::function<void(ErrorCode)> done);

  // Join/rebalance machinery (coordinator_join.cc).
  void join_new_member(ClassicGroup& g, JoinRequest& req, JoinCallback& done);
  void join_known_member(ClassicGroup& g, JoinRequest& req, JoinCallback& done);
  void add_member_and_rebalance(ClassicGroup& g, JoinRequest& req, const std::string& member_id, JoinCallback done);
  void update_member_and_rebalance(ClassicGroup& g, Member& m, JoinRequest& req, JoinCallback done);
  void update_static_member(ClassicGroup& g, JoinRequest& req, const std::string& new_id, JoinCallback done);
  void maybe_prepare_rebalance(ClassicGroup& g);
  void prepare_rebalance(ClassicGroup& g);
  void try_complete_join(ClassicGroup& g);
  void on_join_timer(const std::string& group_id);
  void complete_join(ClassicGroup& g);
  JoinResult current_generation_answer(const ClassicGroup& g, const Member& m, bool include_members) const;
  void reset_and_propagate_sync_error(ClassicGroup& g, ErrorCode error);
  void propagate_assignment(ClassicGroup& g);
  void remove_member(ClassicGroup& g, const std::string& member_id);
  void remove_member_and_update(ClassicGroup& g, const std::string& member_id);
  void schedule_heartbeat(ClassicGroup& g, Member& m);
  void on_heartbeat_expired(const std::string& group_id, const std::string& member_id);
  void on_pending_expired(const std::string& group_id, const std::string& member_id);
  void schedule_pending_sync(ClassicGroup& g);
  void clear_pending_sync(ClassicGroup& g);
  void on_sync_expired(const std::string& group_id, int32_t generation);
  void cancel_timers(ClassicGroup& g);
  void store_group(ClassicGroup& g, std::function<void(ErrorCode)> done);
  // journal_.append, unless the records cannot fit one batch of max_record_batch_bytes: then
  // `done` gets MESSAGE_TOO_LARGE (later, as a journal answer would come).
  void append_records(int32_t partition, std::vector<JournalRecord> records, std::function<void(ErrorCode)> done);
  std::string new_member_id(const std::string& client_id);

  CoordinatorConfig config_;
  Timers& timers_;
  Journal& journal_;
  std::unordered_map<int32_t, Load> partitions_;
  std::unordered_map<std::string, std::unique_ptr<ClassicGroup>> groups_;
  uint64_t member_counter_ = 0;
  std::unique_ptr<ConsumerGroupCoordinator> consumer_;
};

// Maps a journal failure to what Kafka answers for a failed coordinator write.
ErrorCode coordinator_write_error(ErrorCode storage_error);

}  // namespace runnel::group
