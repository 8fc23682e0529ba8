#pragma once

// GroupService: one core's group coordinator (broker/group/Coordinator) wired to this core's
// ring and logs. A group lives on the core that owns its __consumer_offsets partition
// (Broker::owner_of), so handlers reach it through Router::on_group (router.h).
//
// - Timers: the coordinator's timers are ring timers.
// - Journal: records become one batch appended to the group's __consumer_offsets partition
//   and fdatasync'd before the coordinator hears "done" (an acknowledged commit is durable).
// - Loading: at start-up, and on first use of a partition created later, the partition's log
//   is read and replayed; meanwhile the coordinator answers COORDINATOR_LOAD_IN_PROGRESS.
// - Offsets retention: expire_offsets() every offsets.retention.check.interval.ms.
//
// Coordinator callbacks may fire in the middle of a coordinator transition; the awaitables
// here resume their coroutine on the next ring iteration, never inline.

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "broker/group/coordinator.h"
#include "broker/io/task.h"

namespace runnel::server {

class Shard;

inline constexpr const char* kOffsetsTopic = "__consumer_offsets";

class GroupService {
 public:
  explicit GroupService(Shard& shard);
  ~GroupService();

  group::Coordinator& coordinator() { return *coordinator_; }
  // The coordinator, after touch(group_id): for the calls that answer at once.
  group::Coordinator& for_group(const std::string& group_id) {
    touch(group_id);
    return *coordinator_;
  }
  // Starts loading the group's partition if this core hosts it and has not loaded it yet. A
  // partition this broker leads by the metadata whose log is not open yet (just created, or just
  // moved here) counts as loading: COORDINATOR_LOAD_IN_PROGRESS, which clients retry here, as
  // Kafka answers while it loads, rather than NOT_COORDINATOR, which sends them elsewhere.
  void touch(const std::string& group_id);

  io::Task<group::JoinResult> join(group::JoinRequest req);
  io::Task<group::SyncResult> sync(group::SyncRequest req);
  io::Task<std::vector<ErrorCode>> commit(group::OffsetCommitRequest req);
  io::Task<std::pair<ErrorCode, std::vector<ErrorCode>>> delete_offsets(std::string group_id,
                                                                        std::vector<group::TopicPartition> tps);
  io::Task<ErrorCode> delete_group(std::string group_id);
  // ConsumerGroupHeartbeat (KIP-848), against this core's view of the topics.
  io::Task<group::ConsumerHeartbeatResult> consumer_heartbeat(group::ConsumerHeartbeatRequest req);
  // This core's metadata image as the consumer groups see it (internal topics left out, so
  // regular expressions never match them); rebuilt when the image changes.
  const group::TopicCatalog& topic_catalog();

  // Loads the offsets partitions this core owns, then expires offsets periodically.
  io::Task<void> run();
  // Shutdown: unloads every loaded partition, so pending JoinGroup/SyncGroup calls are answered
  // now (NOT_COORDINATOR, as when a partition moves) rather than at their rebalance timeout.
  void stop();
  bool any_loading() const;

 private:
  class RingTimers;
  class LogJournal;
  io::Task<void> load(int32_t partition);
  // load() once the led partition's log is open here; gives the partition up (unknown again)
  // when leadership moves away first or it does not open within kOpenWaitMs.
  io::Task<void> load_once_open(int32_t partition);

  Shard& shard_;
  std::unique_ptr<RingTimers> timers_;
  std::unique_ptr<LogJournal> journal_;
  std::unique_ptr<group::Coordinator> coordinator_;
  int loading_ = 0;
  group::TopicCatalog catalog_;
  // The image the catalog was built from, held so that its address cannot be reused by a
  // newer image (a pointer comparison alone would then miss the change).
  std::shared_ptr<const void> catalog_image_;
};

}  // namespace runnel::server
