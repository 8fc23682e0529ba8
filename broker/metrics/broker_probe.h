#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "broker/metrics/shard_probe.h"

namespace runnel::metrics {

// The broker-wide observability state shared between the ring threads and the admin thread:
// one ShardProbe per core (allocated before the shard threads start and outliving them, so the
// admin thread may read them at any time) and the broker's lifecycle flags behind /readyz.
class BrokerProbe {
 public:
  BrokerProbe() = default;
  BrokerProbe(const BrokerProbe&) = delete;
  BrokerProbe& operator=(const BrokerProbe&) = delete;

  // Before the shard threads start (and before the admin server reads anything).
  void init(int shard_count);
  int shard_count() const { return static_cast<int>(shards_.size()); }
  ShardProbe& shard(int i) { return *shards_[static_cast<size_t>(i)]; }
  const ShardProbe& shard(int i) const { return *shards_[static_cast<size_t>(i)]; }

  // Lifecycle, set by the broker, read by /readyz and /healthz.
  void mark_metadata_loaded(std::string cluster_id);
  void mark_shard_serving(int i);   // recovery done on that core, its loop runs: liveness starts to count
  void mark_ready();                // every log recovered, every Kafka listener accepting
  void mark_stopping();             // shutdown started: no longer ready
  bool metadata_loaded() const { return metadata_loaded_.load(); }
  bool shard_serving(int i) const { return serving_mask_.load() & (uint64_t{1} << i); }
  bool ready() const { return ready_.load() && !stopping_.load(); }
  bool stopping() const { return stopping_.load(); }
  std::string cluster_id() const;
  int64_t started_at_unix_ms() const { return started_at_unix_ms_; }

  // The metadata quorum member of this node, as shard 0 last saw it (Shard::observability_loop);
  // null on a node that runs none (no controller.quorum.voters, or not a voter) or before its
  // first publication. Any thread.
  void publish_quorum(std::shared_ptr<const QuorumSnapshot> quorum) { quorum_.publish(std::move(quorum)); }
  std::shared_ptr<const QuorumSnapshot> quorum() const { return quorum_.get(); }

 private:
  std::vector<std::unique_ptr<ShardProbe>> shards_;
  std::atomic<bool> metadata_loaded_{false};
  std::atomic<uint64_t> serving_mask_{0};
  std::atomic<bool> ready_{false};
  std::atomic<bool> stopping_{false};
  mutable std::mutex mutex_;
  std::string cluster_id_;  // guarded by mutex_
  int64_t started_at_unix_ms_ = 0;
  Published<QuorumSnapshot> quorum_;
};

}  // namespace runnel::metrics
