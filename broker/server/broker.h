#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "broker/cluster/metadata_image.h"
#include "broker/cluster/metadata_store.h"
#include "broker/config/broker_config.h"
#include "broker/io/ring.h"
#include "broker/io/task.h"
#include "broker/metrics/broker_probe.h"

namespace runnel::admin {
class AdminServer;
}
namespace runnel::quorum {
class QuorumDriver;
struct QuorumOptions;
struct Recovered;
}

namespace runnel::server {

class Shard;
class Controller;
class QuorumController;
class BrokerLifecycle;

// The whole broker process: one Shard per core, each on its own thread with its own ring.
// Shard 0 also hosts the Controller (topic metadata) and handles signals.
//
// Start-up: load metadata (blocking, before any ring serves), start the shard threads, let
// each recover the partitions it owns in parallel, then open the listeners. Shutdown (SIGTERM,
// SIGINT): stop accepting everywhere, answer in-flight requests, flush and close every log.
class Broker {
 public:
  explicit Broker(config::BrokerConfig config);
  ~Broker();

  // Runs until shutdown; returns the process exit code.
  int run();

  const config::BrokerConfig& config() const { return config_; }
  int shard_count() const { return static_cast<int>(shards_.size()); }
  Shard& shard(int i) { return *shards_[static_cast<size_t>(i)]; }
  // Which core owns a partition. Stable for the life of the process.
  int owner_of(const std::string& topic, int32_t partition) const;
  Controller& controller() { return *controller_; }
  cluster::MetadataStore& store() { return store_; }
  int32_t next_partition_uid() { return uid_counter_.fetch_add(1, std::memory_order_relaxed); }
  const std::string& log_dir() const { return config_.log_dirs.front(); }
  // The port of the first listener (after binding, so port 0 resolves).
  int bound_port() const { return bound_port_.load(); }
  // This node's member of the metadata quorum (broker/quorum), on shard 0; null on a node that
  // is not a voter, before start-up finished and after shutdown. Touch it only on shard 0.
  quorum::QuorumDriver* quorum() { return quorum_.get(); }
  // The node is a voter of a configured quorum (controller.quorum.voters lists it).
  bool quorum_configured() const { return quorum_options_ != nullptr; }
  const quorum::QuorumOptions* quorum_options() const { return quorum_options_.get(); }
  // The metadata authority when this node runs a quorum member (server/quorum_controller.h);
  // null otherwise. Shard 0 only.
  QuorumController* quorum_controller() { return quorum_controller_.get(); }
  // The host advertised when a listener names none.
  const std::string& advertised_host() const { return advertised_host_; }
  // The topics of the single-node metadata file a quorum node started with (see broker.cc).
  const cluster::ImagePtr& legacy_image() const { return legacy_image_; }
  int64_t legacy_producer_id_end() const { return legacy_producer_id_end_; }
  // Metrics and lifecycle flags shared with the admin API (broker/metrics, broker/admin).
  metrics::BrokerProbe& probe() { return probe_; }

 private:
  void shard_main(int index);

  config::BrokerConfig config_;
  cluster::MetadataStore store_;
  cluster::ImagePtr initial_image_;
  int64_t producer_id_block_end_ = 0;
  std::vector<Shard*> shards_;
  std::unique_ptr<Controller> controller_;
  std::atomic<int32_t> uid_counter_{1};
  std::atomic<int> started_{0};
  std::atomic<int> stopped_{0};
  std::atomic<bool> start_failed_{false};
  std::atomic<bool> listening_{false};
  std::atomic<int> bound_port_{0};
  std::atomic<int> accepting_{0};  // shards whose Kafka listeners accept
  metrics::BrokerProbe probe_;
  std::unique_ptr<admin::AdminServer> admin_;
  // The metadata quorum: options and start-up recovery (main thread), then the driver (shard 0).
  std::unique_ptr<quorum::QuorumOptions> quorum_options_;
  std::unique_ptr<quorum::Recovered> quorum_recovered_;
  std::unique_ptr<quorum::QuorumDriver> quorum_;
  std::unique_ptr<QuorumController> quorum_controller_;
  std::unique_ptr<BrokerLifecycle> lifecycle_;
  std::string advertised_host_;
  // A quorum node's single-node metadata file as it was at start-up, for the one-time import.
  cluster::ImagePtr legacy_image_;
  int64_t legacy_producer_id_end_ = 0;
  // Shard 0: starts the quorum member, its controller and this broker's registration.
  void start_quorum(io::Ring& ring, Shard& shard);
  bool client_listeners_open_ = false;
  // Shard 0, on SIGTERM: controlled shutdown, then the quorum member hands over and stops.
  io::Task<void> stop_quorum();

 public:
  // Shard 0, from BrokerLifecycle: the broker was unfenced for the first time; its client
  // listeners open and /readyz says ready (Kafka's broker waits for the same before serving).
  void on_unfenced();

 private:
  // Builds the quorum options from the configuration and recovers the quorum's state from
  // disk; false (logged) when the node cannot take part.
  bool prepare_quorum();  // started before recovery so /readyz can say "not yet"
  friend class Controller;
};

}  // namespace runnel::server
