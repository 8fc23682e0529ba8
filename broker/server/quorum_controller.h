#pragma once

// QuorumController: the metadata authority of a node that runs a member of the metadata quorum
// (broker/quorum). It lives on shard 0 beside the QuorumDriver and has two jobs.
//
// Every node: apply. Committed records of `__cluster_metadata` are decoded
// (broker/metadata/record_codec.h) and applied to the metadata image in order; each new image
// is converted for the handlers (metadata::to_cluster_image) and installed on every shard, as
// Controller::commit does for a single node. The first image is published only once the node
// has applied everything it found in its own log at start-up, so a restarted node never
// publishes an older state than the one it had (which would drop partitions it hosts).
//
// The quorum leader: decide. It is the active controller once it has committed its own epoch's
// first record (QuorumDriver::leader_ready): requests are decided on the committed image by the
// pure decisions of broker/metadata, their records proposed as one batch, and the answer given
// when the batch is committed and applied. Decisions are serialised, and each waits for its
// commit, so every decision sees the effect of the one before (Kafka's controller keeps a
// speculative image instead; this is simpler and costs one commit round trip per change). A
// proposal whose epoch ends before it commits is answered NOT_CONTROLLER: the client retries
// against the new leader.
//
// Broker liveness is the active controller's too: a registered broker that has not sent a
// heartbeat for broker.session.timeout.ms is fenced (its partitions get new leaders by Kafka's
// rules, metadata/leader_election.h); a fenced broker whose heartbeat shows it has applied the
// log up to the high watermark is unfenced. A new active controller gives every broker a full
// session before fencing it.
//
// Threading: shard 0 only; other cores reach it through the router.

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <vector>

#include "broker/cluster/metadata_image.h"
#include "broker/io/abort_source.h"
#include "broker/io/async_mutex.h"
#include "broker/io/task.h"
#include "broker/io/task_group.h"
#include "broker/io/wakeup.h"
#include "broker/metadata/broker_decisions.h"
#include "broker/metadata/config_decisions.h"
#include "broker/metadata/image.h"
#include "broker/metadata/producer_id_decisions.h"
#include "broker/metadata/topic_decisions.h"
#include "broker/raft/snapshot.h"

namespace runnel::quorum {
class QuorumDriver;
}

namespace runnel::server {

class Broker;

class QuorumController {
 public:
  QuorumController(Broker& broker, quorum::QuorumDriver& driver);
  ~QuorumController();

  void start();
  io::Task<void> stop();

  // The active controller: the quorum leader, caught up with its own epoch.
  bool active() const;
  // The committed image as applied so far, and the offset it reflects.
  const metadata::Image& image() const { return image_; }
  Offset applied() const { return applied_; }
  // Whether the handlers see the quorum's image yet (see above).
  bool published() const { return published_; }

  // Decisions (active controller only; NOT_CONTROLLER otherwise). Answers come after commit.
  io::Task<metadata::TopicDecisions> create_topics(std::vector<metadata::NewTopic> topics, bool validate_only);
  io::Task<metadata::TopicDecisions> delete_topics(std::vector<metadata::TopicRef> topics);
  io::Task<metadata::TopicDecisions> create_partitions(std::string topic, int32_t new_total,
                                                       std::optional<std::vector<std::vector<NodeId>>> assignment,
                                                       bool validate_only);
  io::Task<metadata::ConfigDecisions> alter_configs(std::vector<metadata::ConfigResourceChange> changes,
                                                    bool incremental, bool validate_only);
  io::Task<metadata::Answer<metadata::ProducerIdBlock>> allocate_producer_ids(NodeId broker, metadata::BrokerEpoch epoch);
  io::Task<metadata::Answer<metadata::BrokerEpoch>> register_broker(metadata::BrokerRegistrationRequest request);

  struct HeartbeatAnswer {
    ErrorCode error = ErrorCode::none;
    bool caught_up = false;
    bool fenced = true;
    bool should_shut_down = false;
  };
  io::Task<HeartbeatAnswer> heartbeat(NodeId broker, metadata::BrokerEpoch epoch, Offset metadata_offset, bool want_shut_down);

 private:
  // One decision of `items` answers: `decide()` on the committed image under the mutex, its
  // records committed as one batch. Every item answers NOT_CONTROLLER when this node is not the
  // active controller, and an accepted item takes the commit's refusal when it fails.
  template <typename Decisions, typename Decide>
  io::Task<Decisions> decide_and_commit(size_t items, Decide decide);
  // Proposes `records` as one batch and returns once they are applied, or why not.
  io::Task<metadata::Answer<void>> commit(const std::vector<metadata::Record>& records);
  io::Task<void> apply_loop();
  // Snapshots (quorum_controller_snapshot.cc): the image starts from the snapshot recovery
  // loaded; one a follower installed from the leader replaces it (true when it did); every
  // metadata.log.max.record.bytes.between.snapshots of applied records (or
  // metadata.log.max.snapshot.interval.ms) the applied image is written as a snapshot.
  void start_from_snapshot();
  bool install_snapshot();
  bool load_snapshot(const raft::Snapshot& snapshot, const char* how);
  void maybe_snapshot();
  io::Task<void> write_snapshot(metadata::Image image, raft::OffsetAndEpoch id);
  io::Task<void> liveness_loop();
  // A node that ran as a single-node cluster before (metadata.json) and now runs a quorum of
  // which it is the only voter brings its topics along: once, on its first activation, when
  // the log holds no topic yet, its topics (ids, partitions, overrides, leader epochs) and its
  // producer-id high mark become records. A quorum of several voters imports nothing: which
  // node's file would be the truth?
  io::Task<void> import_legacy();
  io::Task<void> import_legacy_locked();  // the same, with mutex_ held
  // Applies committed records past applied_; true when the image changed.
  bool apply_committed();
  io::Task<void> publish();
  metadata::Answer<void> check_active() const;
  void wake_waiters();

  Broker& broker_;
  quorum::QuorumDriver& driver_;
  metadata::Image image_;
  Offset applied_{0};
  Offset publish_from_{0};  // the log end found at start-up: publish once applied past it
  bool published_ = false;
  io::AsyncMutex mutex_;

  // Liveness, on the active controller: when each broker was last heard from (steady ms).
  std::map<int32_t, int64_t> last_heartbeat_ms_;
  LeaderEpoch liveness_epoch_{-1};  // the epoch the table was started in
  bool import_checked_ = false;

  // Snapshots: applied record bytes counted up to snapshot_scan_ since the last snapshot.
  Offset snapshot_scan_{0};
  int64_t bytes_since_snapshot_ = 0;
  int64_t last_snapshot_ms_ = 0;
  bool snapshotting_ = false;  // one snapshot write at a time

  io::Wakeup apply_wakeup_;
  std::vector<io::Wakeup*> waiters_;  // commits waiting for the applier
  bool stopping_ = false;
  io::AbortSource stop_;
  io::TaskGroup tasks_;
};

}  // namespace runnel::server
