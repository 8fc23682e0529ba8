#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace runnel::metrics {

// Immutable views that a ring thread builds from state only it may touch, and publishes for the
// admin thread. Readers get a shared_ptr to a complete, consistent snapshot (every field of one
// snapshot was read at the same point of the ring's loop) and never see a half-updated one.

struct PartitionStats {
  std::string topic;
  std::string topic_id;
  int32_t partition = 0;
  int32_t leader_epoch = 0;
  int64_t log_start_offset = 0;
  int64_t log_end_offset = 0;
  int64_t high_watermark = 0;
  int64_t flushed_offset = 0;
  int64_t size_bytes = 0;
  int64_t segment_count = 0;
  bool failed = false;        // the log failed on an I/O error (for good)
  bool out_of_space = false;  // appends refused after ENOSPC, retried until space returns
};

struct TopicTraffic {
  uint64_t bytes_in = 0;     // record-batch bytes appended by Produce
  uint64_t records_in = 0;   // records appended by Produce
  uint64_t bytes_out = 0;    // record-batch bytes returned by Fetch
};

struct ShardSnapshot {
  int64_t taken_at_ns = 0;  // metrics::mono_ns()
  std::vector<PartitionStats> partitions;
  std::vector<std::pair<std::string, TopicTraffic>> topics;  // by topic name, traffic counted on this shard
};

// --- Consumer groups (filled by the group coordinator; see ShardProbe::publish_groups) ---

struct GroupOffset {
  std::string topic;
  int32_t partition = 0;
  int64_t committed_offset = -1;
};

struct GroupStats {
  std::string group_id;
  std::string state;          // Kafka's names: Empty, PreparingRebalance, CompletingRebalance, Stable, Dead
  std::string protocol_type;  // "consumer", "" for simple groups
  int32_t members = 0;
  std::vector<GroupOffset> offsets;
};

using GroupSnapshot = std::vector<GroupStats>;

// --- The metadata quorum (shard 0 publishes; see BrokerProbe::publish_quorum) ---

// Kafka's names for a quorum member's role (raft::role_name, and "observer" for a node without a
// vote that follows the leader, as Kafka's current-state says), in the order the role state-set
// metric lists them.
inline constexpr const char* kQuorumRoles[] = {"unattached", "prospective", "candidate", "leader",
                                               "follower",   "resigned",    "observer"};

struct QuorumVoterStats {
  int32_t id = -1;
  std::string host;  // a voter's controller endpoint, from controller.quorum.voters (observers: none)
  int32_t port = 0;
  // Known on the leader only (-1 elsewhere): the voter's fetch position, and how long ago it
  // last fetched and was last caught up with the leader's log end (the leader's own row: 0).
  int64_t log_end_offset = -1;
  int64_t last_fetch_age_ms = -1;
  int64_t last_caught_up_age_ms = -1;
};

// A broker as the committed metadata image registers it (Kafka's BrokerRegistration).
struct BrokerEndpointStats {
  std::string name;  // listener name
  std::string host;
  int32_t port = 0;
};

struct ClusterBrokerStats {
  int32_t id = -1;
  int64_t epoch = 0;
  std::string state;  // fenced, unfenced, shutting_down
  std::optional<std::string> rack;
  std::vector<BrokerEndpointStats> endpoints;
};

struct QuorumSnapshot {
  int64_t taken_at_ns = 0;  // metrics::mono_ns()
  int32_t node_id = -1;
  std::string role;  // one of kQuorumRoles
  int32_t leader_id = -1;
  int32_t epoch = 0;
  int64_t high_watermark = 0;
  int64_t log_end_offset = 0;
  bool failed = false;  // a metadata log write failed: the node stopped taking part
  bool voter = true;    // false: a broker-only node, following the metadata log as an observer
  std::vector<QuorumVoterStats> voters;     // every configured voter, in controller.quorum.voters order
  std::vector<QuorumVoterStats> observers;  // on the leader: the observers that fetch from it
  // Every registered broker, from the committed metadata image; brokers_known is false until
  // this node has applied the log far enough to publish its first image.
  bool brokers_known = false;
  std::vector<ClusterBrokerStats> brokers;

  bool leader() const { return role == "leader"; }
  // The leader this node follows or is, -1 while it knows none for sure: a prospective or
  // candidate node may still remember the leader it is trying to replace (leader_id keeps it, as
  // Kafka's current-leader does), but that one is not the active controller any more.
  int32_t active_controller() const {
    return role == "leader" || role == "follower" || role == "observer" ? leader_id : -1;
  }
};

// The slot a snapshot is published through. The mutex is held only to copy or swap one
// shared_ptr (a few nanoseconds), by the ring thread once per publication and by the admin
// thread once per request: a ring thread never waits behind work done under it.
template <typename T>
class Published {
 public:
  void publish(std::shared_ptr<const T> v) {
    std::lock_guard<std::mutex> lock(mutex_);
    value_.swap(v);
    // The old snapshot (now in v) is released outside the lock, below.
  }
  std::shared_ptr<const T> get() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return value_;
  }

 private:
  mutable std::mutex mutex_;
  std::shared_ptr<const T> value_;
};

}  // namespace runnel::metrics
