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
// first record (QuorumDriver::leader_ready): requests are decided by the pure decisions of
// broker/metadata, their records proposed as one batch, and the answer given when the batch is
// committed and applied (the partitions it adds are opened afterwards, Shard::adopt_image).
// Decisions are serialised but pipelined, as in Kafka's controller: each is made on the
// speculative image, the committed image plus this leader's proposals not committed yet, so it
// sees the effect of the one before without waiting for its commit; the topic and config
// decisions then wait for their own commit outside the mutex. The rarer broker decisions
// (registration, fencing, producer ids) still hold it until they commit. A proposal whose epoch
// ends before it commits is answered NOT_CONTROLLER, and so is every later one of that epoch:
// the speculative image belongs to its epoch and is dropped with it; the client retries against
// the new leader.
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
#include "broker/server/speculative_image.h"

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
  // UnregisterBroker (kafka-cluster.sh unregister): the broker's registration goes, and its
  // partitions get new leaders as when it is fenced. A broker still running registers again.
  io::Task<metadata::Answer<void>> unregister_broker(NodeId broker);

  struct HeartbeatAnswer {
    ErrorCode error = ErrorCode::none;
    bool caught_up = false;
    bool fenced = true;
    bool should_shut_down = false;
  };
  io::Task<HeartbeatAnswer> heartbeat(NodeId broker, metadata::BrokerEpoch epoch, Offset metadata_offset, bool want_shut_down);

 private:
  // One decision of `items` answers: `decide(image)` on the speculative image under the mutex,
  // its records proposed as one batch, then the commit awaited without the mutex. Every item
  // answers NOT_CONTROLLER when this node is not the active controller, and an accepted item
  // takes the commit's refusal when it fails.
  template <typename Decisions, typename Decide>
  io::Task<Decisions> decide_and_commit(size_t items, Decide decide);
  // A batch proposed in `epoch`, ending at `last` (none when the batch was empty).
  struct Proposal {
    LeaderEpoch epoch{-1};
    std::optional<Offset> last;
  };
  // Proposes `records` as one batch and adds them to the speculative image (mutex_ held).
  metadata::Answer<Proposal> propose(const std::vector<metadata::Record>& records);
  // Returns once `p` is applied, or why not.
  io::Task<metadata::Answer<void>> await_commit(Proposal p);
  // propose() and await_commit() in one (mutex_ held throughout).
  io::Task<metadata::Answer<void>> commit(const std::vector<metadata::Record>& records);
  // Whether spec_ holds proposals of the current epoch that are not applied yet.
  bool speculating() const;
  // The image decisions are made on (mutex_ held): the speculative one while speculating.
  const metadata::Image& decision_image() const;
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
  // The active controller appends a NoOpRecord when nothing was appended for
  // metadata.max.idle.interval.ms (Kafka's), so followers' and brokers' committed offsets move.
  io::Task<void> idle_loop();
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
  SpeculativeImage spec_;  // the committed image plus this leader's proposals in flight

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
