#pragma once

// ShardProbe: everything one core measures about itself, in one object the ring thread writes
// and the admin thread reads.
//
// Why this design (and not prometheus-cpp's Counter/Histogram on the hot path): prometheus-cpp
// metrics are thread-safe through an atomic read-modify-write per increment, and its families
// look series up by label map (allocation, a mutex). Runnel counts on every request, so a shard
// keeps its own single-writer counters and fixed-bucket histograms (local_counter.h,
// histogram.h): plain stores, no lock, no allocation. The admin thread reads them at scrape time
// and adds the shards up into a prometheus-cpp registry (broker/admin/collector.h).
//
// State that is not counters (partition offsets and sizes, per-topic traffic keyed by name,
// consumer groups) lives in structures only the ring thread may touch. The shard copies it into
// an immutable snapshot every publish interval (Shard::observability_loop) and publishes it
// through a Published<> slot; /metrics and /v1/topics read the latest snapshot, at most one
// interval old, and always internally consistent.
//
// Threading: every non-const method is for the owning ring thread only, except
// request_stall_ms() (test hook, any thread). Const methods are for any thread.

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>

#include "broker/metrics/histogram.h"
#include "broker/metrics/local_counter.h"
#include "broker/metrics/request_table.h"
#include "broker/metrics/snapshots.h"
#include "broker/net/close_reason.h"

namespace runnel::metrics {

class ShardProbe {
 public:
  static constexpr int kMaxApiKey = 128;  // Kafka's keys are < 100; larger ones are counted, not timed

  // Request phases, per API: queue = frame received -> handler starts; process = handler runs
  // (including waits for other cores, fsync and Fetch long polls); send = response ready ->
  // written to the socket (includes waiting behind earlier responses of the connection, which
  // Kafka requires in order); total = frame received -> response written.
  struct ApiTimes {
    LocalHistogram queue{latency_bounds_ns()};
    LocalHistogram process{latency_bounds_ns()};
    LocalHistogram send{latency_bounds_ns()};
    LocalHistogram total{latency_bounds_ns()};
  };

  explicit ShardProbe(int index) : index_(index) {}
  ShardProbe(const ShardProbe&) = delete;
  ShardProbe& operator=(const ShardProbe&) = delete;
  int index() const { return index_; }

  // --- requests (ring thread) ---
  void on_request(int16_t api_key, int16_t api_version, int16_t error_code) {
    requests_.add(api_key, api_version, error_code);
  }
  void on_processed(int16_t api_key, int64_t queue_ns, int64_t process_ns) {
    if (ApiTimes* t = times(api_key)) {
      t->queue.observe(queue_ns);
      t->process.observe(process_ns);
    }
  }
  void on_sent(int16_t api_key, int64_t send_ns, int64_t total_ns) {
    if (ApiTimes* t = times(api_key)) {
      t->send.observe(send_ns);
      t->total.observe(total_ns);
    }
  }
  // A response that is never sent (Produce acks=0): the request ends when processing does.
  void on_unanswered(int16_t api_key, int64_t total_ns) {
    if (ApiTimes* t = times(api_key)) t->total.observe(total_ns);
  }

  // --- traffic per topic (ring thread; allocates only the first time a topic is seen) ---
  void on_produced(const std::string& topic, uint64_t bytes, uint64_t records);
  void on_fetched(const std::string& topic, uint64_t bytes);

  // --- connections, storage, ring (ring thread) ---
  void on_connection_opened() { connections_opened_.add(); }
  void on_connection_closed(net::CloseReason why) {
    connections_closed_.add();
    closed_by_reason_[static_cast<size_t>(why)].add();
  }
  void on_fsync(int64_t ns) { fsync_.observe(ns); }
  void on_group_commit(int64_t offsets) { group_commit_.observe(offsets); }
  // One group of metadata quorum writes (appends, truncations, quorum-state) from its start to
  // its fdatasync done, just before the replica hears it is durable (broker/quorum, shard 0).
  void on_quorum_persist(int64_t ns) { quorum_persist_.observe(ns); }
  void set_ring_totals(uint64_t submitted, uint64_t completed) {
    ring_submitted_.set(static_cast<int64_t>(submitted));
    ring_completed_.set(static_cast<int64_t>(completed));
  }

  // --- liveness (ring thread) ---
  // Called by the shard's periodic loop; /healthz fails when a serving shard stops beating.
  void beat(int64_t now_ns) {
    last_beat_ns_.store(now_ns, std::memory_order_relaxed);
    beats_.add();
  }
  // Test hook: the next beat blocks the ring thread for this long (any thread may ask).
  void request_stall_ms(int64_t ms) { stall_ms_.store(ms, std::memory_order_relaxed); }
  int64_t take_stall_ms() { return stall_ms_.exchange(0, std::memory_order_relaxed); }

  // --- snapshots (ring thread publishes, anyone reads) ---
  // Publishes the partitions' stats together with a copy of this shard's per-topic traffic.
  void publish(std::vector<PartitionStats> partitions, int64_t now_ns);
  std::shared_ptr<const ShardSnapshot> snapshot() const { return snapshot_.get(); }

  // The hook for the group coordinator: it publishes the groups this core coordinates (state,
  // member count, committed offsets) whenever they change or periodically. The admin API
  // computes lag = high watermark - committed offset from the partition snapshots, so the
  // coordinator need not read logs owned by other cores. Any thread may call it.
  void publish_groups(std::shared_ptr<const GroupSnapshot> groups) { groups_.publish(std::move(groups)); }
  std::shared_ptr<const GroupSnapshot> groups() const { return groups_.get(); }

  // --- readers (any thread) ---
  const RequestTable& requests() const { return requests_; }
  const ApiTimes* api_times(int16_t api_key) const {
    return api_key >= 0 && api_key < kMaxApiKey ? &times_[static_cast<size_t>(api_key)] : nullptr;
  }
  uint64_t connections_opened() const { return connections_opened_.value(); }
  uint64_t connections_closed() const { return connections_closed_.value(); }
  uint64_t connections_closed(net::CloseReason why) const {
    return closed_by_reason_[static_cast<size_t>(why)].value();
  }
  const LocalHistogram& fsync() const { return fsync_; }
  const LocalHistogram& group_commit() const { return group_commit_; }
  const LocalHistogram& quorum_persist() const { return quorum_persist_; }
  uint64_t ring_submitted() const { return static_cast<uint64_t>(ring_submitted_.value()); }
  uint64_t ring_completed() const { return static_cast<uint64_t>(ring_completed_.value()); }
  int64_t last_beat_ns() const { return last_beat_ns_.load(std::memory_order_relaxed); }
  uint64_t beats() const { return beats_.value(); }

 private:
  ApiTimes* times(int16_t api_key) {
    return api_key >= 0 && api_key < kMaxApiKey ? &times_[static_cast<size_t>(api_key)] : nullptr;
  }

  int index_;
  RequestTable requests_;
  std::array<ApiTimes, kMaxApiKey> times_;
  LocalCounter connections_opened_;
  LocalCounter connections_closed_;
  std::array<LocalCounter, net::kCloseReasons> closed_by_reason_;
  LocalHistogram fsync_{latency_bounds_ns()};
  LocalHistogram group_commit_{batch_bounds()};
  LocalHistogram quorum_persist_{latency_bounds_ns()};
  LocalGauge ring_submitted_;
  LocalGauge ring_completed_;
  std::atomic<int64_t> last_beat_ns_{0};
  LocalCounter beats_;
  std::atomic<int64_t> stall_ms_{0};
  std::unordered_map<std::string, TopicTraffic> traffic_;  // ring thread only
  Published<ShardSnapshot> snapshot_;
  Published<GroupSnapshot> groups_;
};

// The probe of the shard running on this thread, or nullptr (tests, non-ring threads). Lets
// lower layers (storage) record without knowing about shards.
ShardProbe* this_shard_probe();
void bind_this_shard_probe(ShardProbe* probe);

}  // namespace runnel::metrics
