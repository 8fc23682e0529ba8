#pragma once

#include <memory>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "broker/cluster/metadata_image.h"
#include "broker/cluster/partition.h"
#include "broker/io/abort_source.h"
#include "broker/io/async_mutex.h"
#include "broker/io/buffer_ring.h"
#include "broker/io/ring.h"
#include "broker/io/task_group.h"
#include "broker/model/result.h"
#include "broker/net/acceptor.h"
#include "broker/net/connection.h"
#include "broker/server/append_watch.h"
#include "broker/server/fetch_session.h"
#include "broker/server/request_context.h"
#include "broker/metrics/shard_probe.h"
#include "broker/storage/env.h"
#include "broker/storage/ring_files.h"

namespace runnel::server {

class Broker;
class GroupService;

// Everything one core owns: its ring, its connections, the partitions hashed to it, and its
// copy of the metadata image. Nothing here is touched by another thread; other cores reach a
// shard only through cross-ring calls (cross_call.h). Start-up and shutdown are driven by Broker.
class Shard final : public net::FrameSink {
 public:
  Shard(Broker& broker, int index, io::Ring& ring);
  ~Shard();

  static Shard& current();
  int index() const { return index_; }
  io::Ring& ring() { return ring_; }
  // The ring-backed file seam of this core (storage/files.h), for files outside partition logs
  // (the metadata quorum's log on shard 0).
  storage::Files& files() { return log_files_; }
  Broker& broker() { return broker_; }

  const cluster::ImagePtr& image() const { return image_; }
  // Adopts a new metadata image at once (handlers see it from now on); the partitions it adds
  // on this core are opened, and those of deleted topics closed and removed from disk,
  // afterwards, by one background reconciliation at a time (shard_partitions.cc). As on a Kafka
  // broker, a partition the image lists but whose log is not open yet answers
  // NOT_LEADER_OR_FOLLOWER (router.h), which clients retry. The metadata quorum's images.
  void adopt_image(cluster::ImagePtr image);
  // adopt_image(), then waits until this core's partitions match the image: start-up, and the
  // single-node controller, whose callers may use a new partition as soon as they hear "done".
  io::Task<void> install_image(cluster::ImagePtr image);

  cluster::Partition* partition(const std::string& topic, int32_t partition);
  // partition(), when this broker is also its leader in the image (a replica that only follows
  // serves no client; the group coordinator runs where __consumer_offsets is led).
  cluster::Partition* led_partition(const std::string& topic, int32_t partition);
  // Whether this broker leads topic-partition in `image`.
  bool leads(const cluster::MetadataImage& image, const std::string& topic, int32_t partition) const;
  // After an append on a partition this core owns: wake the cores whose Fetches wait on it.
  void notify_append(cluster::Partition& p);
  AppendWatch& append_watch() { return append_watch_; }
  // The group coordinator of the __consumer_offsets partitions this core owns (group_service.h).
  GroupService& groups();
  bool shutting_down() const { return shutting_down_; }
  FetchSessionCache& fetch_sessions() { return fetch_sessions_; }

  // Adds an acceptor on host:port, or says why there is none (for the start-up log).
  // `deferred`: accept only after start_deferred() (a cluster broker's client listeners open
  // once the broker is unfenced, as Kafka's do; the controller listener serves at once).
  // `role`: which APIs its connections may call (request_context.h).
  Result<void, std::string> listen(const std::string& host, int port, int backlog, bool deferred = false,
                                   ListenerRole role = ListenerRole::any);
  int listen_port() const;
  void start_accepting();
  void start_deferred();
  // The background loops (housekeeping, which starts the cleaner and the heap trim, the
  // observability beat and the group service): children of this shard, joined by shutdown().
  void start_loops();
  // Run under the shard's background loops (joined by shutdown); false once shutting down.
  bool spawn_background(io::Task<void> task) { return loops_.spawn(std::move(task)); }
  // Background sleeps go through this: shutdown ends them at once.
  io::AbortSource& stop_source() { return stop_; }
  // Shutdown, first step, on every core before any core runs shutdown(): stops accepting and
  // reading requests, ends the background sleeps, and answers what waits for the outside world
  // (long-poll Fetches, JoinGroup/SyncGroup) so that no request waits out its timeout;
  // idempotent.
  void begin_shutdown();
  // begin_shutdown(), then waits for every in-flight request, closes the connections, closes
  // the logs and joins the background loops.
  io::Task<void> shutdown();

  void on_frame(net::Connection& conn, uint64_t seq, std::vector<uint8_t> frame) override;
  void on_closed(net::Connection& conn) override;
  void on_response_sent(int16_t api_key, int64_t received_ns, int64_t ready_ns, int64_t sent_ns) override;

  // Periodic work: retention, time-based flushes. Starts cleaner_loop().
  io::Task<void> housekeeping_loop();
  // Returns freed heap to the kernel after a burst of traffic (malloc_trim on a helper thread).
  io::Task<void> heap_trim_loop();
  // The log cleaner of this core's compacted partitions (broker/storage/cleaner.h): one
  // cleaning at a time, heavy work off the ring, backoff when there is nothing to clean.
  io::Task<void> cleaner_loop();

  // This core's metrics (broker/metrics/shard_probe.h). The observability loop beats the
  // liveness heartbeat and publishes partition snapshots for the admin API
  // (shard_observability.cc).
  metrics::ShardProbe& probe() { return *probe_; }
  io::Task<void> observability_loop();

 private:
  io::Task<void> serve(net::Connection& conn, uint64_t seq, std::vector<uint8_t> frame);
  // shard_partitions.cc: brings partitions_ to image_, repeatedly until nothing changed it
  // meanwhile. `queued`: the background run adopt_image() started.
  io::Task<void> reconcile(bool queued);
  io::Task<void> reconcile_to(const cluster::MetadataImage& image);
  io::Task<void> remove_partitions(std::vector<std::unique_ptr<cluster::Partition>> gone);
  // Owns one accepted connection until it is closed and idle (net::Connection::run).
  io::Task<void> run_connection(std::unique_ptr<net::Connection> conn);
  // Shutdown: closes the connections still sending after a grace period, unless `grace` is
  // aborted first (they all closed by themselves).
  io::Task<void> cut_off_connections(io::AbortSource& grace);

  Broker& broker_;
  metrics::ShardProbe* probe_;
  void publish_snapshot();
  void publish_groups();
  int index_;
  io::Ring& ring_;
  io::BufferRing buffers_;
  // What this core's partition logs get from outside (broker/storage/env.h); declared before
  // partitions_ so that it outlives them.
  storage::RingFiles log_files_;
  storage::StagingPool staging_;
  storage::RecentWrites recent_writes_;
  storage::LogEnv log_env_;
  std::vector<std::unique_ptr<net::Acceptor>> acceptors_;
  std::vector<bool> deferred_;  // per acceptor: waits for start_deferred()
  std::unordered_set<net::Connection*> connections_;  // open ones (on_closed removes them)
  uint64_t next_connection_id_ = 1;
  // Request bytes received, and the counts at the last housekeeping tick and the last heap trim
  // (housekeeping_loop: freed heap goes back to the kernel once a burst is over).
  uint64_t request_bytes_ = 0;
  uint64_t request_bytes_at_tick_ = 0;
  uint64_t request_bytes_at_trim_ = 0;
  bool shutting_down_ = false;
  io::AbortSource stop_{ring_};
  // Owners: every request being served (serve()) and every background loop is a child of one of
  // these; shutdown() closes and awaits both, so none outlives the shard (the destructor asserts).
  io::TaskGroup requests_;
  io::TaskGroup loops_;
  // Owns every accepted connection (run_connection); closed by shutdown() after the requests.
  io::TaskGroup connection_tasks_;
  bool serving_ = false;  // start-up recovery is over; blocking work moves off the ring
  cluster::ImagePtr image_;
  // Reconciliation (shard_partitions.cc): one pass at a time; reconciled_ is the image the
  // partitions matched last; at most one background run waits for the mutex (queued).
  io::AsyncMutex reconcile_mutex_;
  cluster::ImagePtr reconciled_;
  bool reconcile_queued_ = false;
  io::TaskGroup reconcile_tasks_;
  AppendWatch append_watch_;
  FetchSessionCache fetch_sessions_;
  std::unique_ptr<GroupService> groups_;
  std::unordered_map<std::string, std::unique_ptr<cluster::Partition>> partitions_;  // key: topic-partition
};

}  // namespace runnel::server
