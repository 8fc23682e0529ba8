#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "broker/io/gate.h"
#include "broker/model/assert.h"
#include "broker/model/named_type.h"
#include "broker/model/uuid.h"
#include "broker/storage/partition_log.h"

namespace runnel::cluster {

// A partition replica hosted by this broker: its log, its leader epoch and replica set, its
// idempotent-producer state, and which cores wait for its next append. Owned by one shard.
//
// With one broker the high watermark is the log end offset: the only in-sync replica has
// everything the leader has. Replication will move it to min(LEO of the ISR).
class Partition {
 public:
  Partition(std::string topic, int32_t index, Uuid topic_id, LeaderEpoch leader_epoch,
            std::unique_ptr<storage::PartitionLog> log, int32_t uid)
      : topic_(std::move(topic)), index_(index), topic_id_(topic_id), leader_epoch_(leader_epoch),
        log_(std::move(log)), uid_(uid) {}

  const std::string& topic() const { return topic_; }
  int32_t index() const { return index_; }
  const Uuid& topic_id() const { return topic_id_; }
  LeaderEpoch leader_epoch() const { return leader_epoch_; }
  // Epochs come from the controller's metadata and only grow: a lower one is a bug.
  void set_leader_epoch(LeaderEpoch e) {
    RUNNEL_ASSERT(e >= leader_epoch_, "%s-%d: leader epoch would go back from %d to %d", topic_.c_str(), index_,
                  leader_epoch_.value(), e.value());
    leader_epoch_ = e;
  }
  // Process-unique number naming this partition in cross-core wake-ups.
  int32_t uid() const { return uid_; }

  storage::PartitionLog& log() { return *log_; }
  // Requests working on this partition are inside its gate (server::Router::on_partition); the
  // shard closes it, waiting for them, before it removes or closes the log and drops the object.
  io::Gate& gate() { return gate_; }
  Offset high_watermark() const { return log_->log_end_offset(); }

  // Long-poll support: a core with a waiting Fetch asks to be told about the next append.
  void watch(int shard) { watchers_ |= uint64_t{1} << shard; }
  uint64_t take_watchers() {
    uint64_t w = watchers_;
    watchers_ = 0;
    return w;
  }

 private:
  std::string topic_;
  int32_t index_;
  Uuid topic_id_;
  LeaderEpoch leader_epoch_;
  std::unique_ptr<storage::PartitionLog> log_;
  int32_t uid_;
  uint64_t watchers_ = 0;
  io::Gate gate_;
};

}  // namespace runnel::cluster
