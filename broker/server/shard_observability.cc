// Shard::observability_loop: the liveness heartbeat and the partition snapshots that the admin
// API reads (broker/metrics/shard_probe.h explains why snapshots rather than shared state).
#include <chrono>
#include <thread>

#include "broker/log/log.h"
#include "broker/metrics/broker_probe.h"
#include "broker/metrics/clock.h"
#include "broker/server/broker.h"
#include "broker/server/group_service.h"
#include "broker/server/shard.h"

namespace runnel::server {

namespace {
// Beat often enough that a liveness timeout of a second or two is meaningful; publish
// snapshots at a pace well under any sane scrape interval. A publication costs one small
// allocation per partition this core owns, off the request path.
constexpr auto kBeatInterval = std::chrono::milliseconds(100);
constexpr int kBeatsPerSnapshot = 5;
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
