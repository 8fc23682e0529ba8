// Shard::observability_loop: the liveness heartbeat and the partition snapshots that the admin
// API reads (broker/metrics/shard_probe.h explains why snapshots rather than shared state); on
// shard 0 also the metadata quorum's state.
#include <algorithm>
#include <chrono>
#include <memory>
#include <string>
#include <thread>

#include "broker/io/timer_queue.h"
#include "broker/log/log.h"
#include "broker/metrics/broker_probe.h"
#include "broker/metrics/clock.h"
#include "broker/metadata/image.h"
#include "broker/quorum/quorum_driver.h"
#include "broker/server/broker.h"
#include "broker/server/group_service.h"
#include "broker/server/quorum_controller.h"
#include "broker/server/shard.h"

namespace runnel::server {

namespace {
// Beat often enough that a liveness timeout of a second or two is meaningful; publish
// snapshots at a pace well under any sane scrape interval. A publication costs one small
// allocation per partition this core owns, off the request path.
constexpr auto kBeatInterval = std::chrono::milliseconds(100);
constexpr int kBeatsPerSnapshot = 5;

int64_t age_ms(int64_t now_ms, int64_t then_ms) { return then_ms < 0 ? -1 : std::max<int64_t>(0, now_ms - then_ms); }

void describe_replica(const raft::ReplicaDescription& r, int64_t now_ms, metrics::QuorumVoterStats& out) {
  out.log_end_offset = r.log_end_offset.value();
  out.last_fetch_age_ms = age_ms(now_ms, r.last_fetch_timestamp);
  out.last_caught_up_age_ms = age_ms(now_ms, r.last_caught_up_timestamp);
}

// The quorum member's state, and on the leader each voter's and observer's fetch position: what
// /metrics' runnel_quorum_* and /v1/cluster show. Runs on the driver's ring (shard 0).
std::shared_ptr<metrics::QuorumSnapshot> quorum_snapshot(const quorum::QuorumDriver& driver) {
  auto snap = std::make_shared<metrics::QuorumSnapshot>();
  const quorum::QuorumStatus st = driver.status();
  snap->taken_at_ns = metrics::mono_ns();
  snap->node_id = st.node_id.value();
  snap->role = std::string(raft::role_name(st.role));
  snap->leader_id = st.leader_id.value();
  snap->epoch = st.epoch.value();
  snap->high_watermark = st.high_watermark.value();
  snap->log_end_offset = st.log_end_offset.value();
  snap->failed = st.failed;
  for (const config::QuorumVoter& v : driver.current_voters()) {
    snap->voters.push_back({.id = v.id.value(), .host = v.host, .port = v.port});
  }
  snap->voter = std::any_of(snap->voters.begin(), snap->voters.end(),
                            [&](const metrics::QuorumVoterStats& v) { return v.id == snap->node_id; });
  if (!snap->voter && st.role == raft::Role::follower) snap->role = "observer";
  auto described = driver.describe();  // the leader's view of every replica; an error elsewhere
  if (!described) return snap;
  // The replica's timestamps are the driver's clock (io::Clock, in ms).
  const int64_t now_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(io::Clock::now().time_since_epoch()).count();
  for (const raft::ReplicaDescription& r : described->current_voters) {
    for (metrics::QuorumVoterStats& v : snap->voters) {
      if (v.id != r.replica_id.value()) continue;
      describe_replica(r, now_ms, v);
      if (v.id == snap->node_id) {  // the leader is caught up with itself, as Kafka reports it
        v.log_end_offset = snap->log_end_offset;
        v.last_fetch_age_ms = 0;
        v.last_caught_up_age_ms = 0;
      }
    }
  }
  for (const raft::ReplicaDescription& r : described->observers) {
    describe_replica(r, now_ms, snap->observers.emplace_back(metrics::QuorumVoterStats{.id = r.replica_id.value()}));
  }
  return snap;
}
const char* broker_state_name(metadata::BrokerState s) {
  switch (s) {
    case metadata::BrokerState::fenced: return "fenced";
    case metadata::BrokerState::unfenced: return "unfenced";
    case metadata::BrokerState::shutting_down: return "shutting_down";
  }
  return "unknown";
}

// The registered brokers of the committed image, once this node publishes one.
void add_brokers(const QuorumController& controller, metrics::QuorumSnapshot& snap) {
  if (!controller.published()) return;
  snap.brokers_known = true;
  for (const auto& [id, b] : controller.image().brokers()) {
    metrics::ClusterBrokerStats& s = snap.brokers.emplace_back();
    s.id = id.value();
    s.epoch = b.epoch.value();
    s.state = broker_state_name(b.state());
    s.rack = b.rack;
    for (const metadata::Endpoint& e : b.listeners) s.endpoints.push_back({e.name, e.host, e.port});
  }
}
}  // namespace

void Shard::publish_snapshot() {
  std::vector<metrics::PartitionStats> stats;
  stats.reserve(partitions_.size());
  for (const auto& [key, p] : partitions_) {
    storage::PartitionLog& log = p->log();
    metrics::PartitionStats& s = stats.emplace_back();
    s.topic = p->topic();
    s.topic_id = p->topic_id().to_base64();
    s.partition = p->index();
    s.leader_epoch = p->leader_epoch().value();
    s.log_start_offset = log.log_start_offset().value();
    s.log_end_offset = log.log_end_offset().value();
    s.high_watermark = p->high_watermark().value();
    s.flushed_offset = log.flushed_offset().value();
    s.size_bytes = log.size_bytes();
    s.segment_count = static_cast<int64_t>(log.segment_count());
    s.failed = log.failed();
    s.out_of_space = log.out_of_space();
  }
  probe_->publish(std::move(stats), metrics::mono_ns());
  publish_groups();
  // The driver lives on shard 0 from the time its listeners accept until the ring stops.
  if (index_ == 0 && broker_.quorum() != nullptr) {
    auto snap = quorum_snapshot(*broker_.quorum());
    if (const QuorumController* c = broker_.quorum_controller()) add_brokers(*c, *snap);
    broker_.probe().publish_quorum(std::move(snap));
  }
}

// The groups this core coordinates, with their committed offsets: the admin thread computes
// consumer lag from these and the partition snapshots of every core, so lag needs no
// cross-core reads here.
void Shard::publish_groups() {
  if (!groups_) return;
  group::Coordinator& c = groups_->coordinator();
  auto snapshot = std::make_shared<metrics::GroupSnapshot>();
  int32_t n = broker_.config().offsets_topic_num_partitions;
  for (int32_t p = 0; p < n; ++p) {
    if (!c.is_loaded(p)) continue;
    for (const group::GroupListing& g : c.list(p)) {
      metrics::GroupStats& gs = snapshot->emplace_back();
      gs.group_id = g.group_id;
      gs.state = g.state;
      gs.protocol_type = g.protocol_type;
      const group::ConsumerGroup* cg = c.consumer_groups().group(g.group_id);  // KIP-848 group
      gs.members = static_cast<int32_t>(cg != nullptr ? cg->members.size() : c.describe(g.group_id).members.size());
      group::OffsetFetchResult offsets = c.fetch_offsets(g.group_id, std::nullopt);
      if (offsets.error != ErrorCode::none) continue;
      for (const group::FetchedOffset& o : offsets.offsets) {
        if (o.offset.offset < 0) continue;
        gs.offsets.push_back({o.tp.topic, o.tp.partition, o.offset.offset});
      }
    }
  }
  probe_->publish_groups(std::move(snapshot));
}

io::Task<void> Shard::observability_loop() {
  probe_->beat(metrics::mono_ns());
  publish_snapshot();
  broker_.probe().mark_shard_serving(index_);
  int beats = 0;
  while (!shutting_down_) {
    co_await stop_.sleep_for(kBeatInterval);
    if (shutting_down_) break;
    if (int64_t ms = probe_->take_stall_ms(); ms > 0) {
      // Test hook (runnel.admin.test.hooks.enable): block this ring thread on purpose so that
      // tests can see /healthz fail. Nothing else ever blocks a ring like this.
      std::this_thread::sleep_for(std::chrono::milliseconds(ms));
    }
    probe_->beat(metrics::mono_ns());
    probe_->set_ring_totals(ring_.submitted_total(), ring_.completed_total());
    if (++beats % kBeatsPerSnapshot == 0) publish_snapshot();
  }
}

}  // namespace runnel::server
