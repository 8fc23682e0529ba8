#include "broker/admin/collector.h"

#include <algorithm>
#include <limits>
#include <map>
#include <string>
#include <tuple>

#include "broker/admin/partition_view.h"
#include "broker/metrics/clock.h"
#include "broker/model/error_code.h"
#include "broker/net/close_reason.h"
#include "broker/protocol/generated/api_keys.h"

namespace runnel::admin {

using prometheus::ClientMetric;
using prometheus::MetricFamily;
using prometheus::MetricType;

namespace {

constexpr double kNsToSeconds = 1e-9;

std::string api_name(int16_t key) {
  const protocol::ApiKeyInfo* info = protocol::find_api_key(key);
  if (key < 0) return "Unknown";
  return info != nullptr ? info->name : "Unknown" + std::to_string(key);
}

std::string error_label(int16_t code) {
  std::string_view n = error_name(static_cast<ErrorCode>(code));
  return n.empty() ? std::to_string(code) : std::string(n);
}

}  // namespace

MetricFamily make_family(const char* name, const char* help, MetricType type) {
  MetricFamily f;
  f.name = name;
  f.help = help;
  f.type = type;
  return f;
}

ClientMetric& add_sample(MetricFamily& f, std::vector<ClientMetric::Label> labels, double value) {
  ClientMetric& m = f.metric.emplace_back();
  m.label = std::move(labels);
  if (f.type == MetricType::Counter) {
    m.counter.value = value;
  } else {
    m.gauge.value = value;
  }
  return m;
}

ClientMetric& add_histogram(MetricFamily& f, std::vector<ClientMetric::Label> labels,
                            const metrics::HistogramData& data, std::span<const int64_t> bounds, double scale) {
  ClientMetric& m = f.metric.emplace_back();
  m.label = std::move(labels);
  uint64_t cumulative = 0;
  for (size_t i = 0; i < data.counts.size(); ++i) {
    cumulative += data.counts[i];
    double le = i < bounds.size() ? static_cast<double>(bounds[i]) * scale : std::numeric_limits<double>::infinity();
    m.histogram.bucket.push_back({cumulative, le});
  }
  m.histogram.sample_count = cumulative;  // == the +Inf bucket by construction
  m.histogram.sample_sum = static_cast<double>(data.sum) * scale;
  return m;
}

std::vector<MetricFamily> BrokerCollector::Collect() const {
  std::vector<MetricFamily> out;
  collect_requests(out);
  collect_shards(out);
  collect_partitions(out);
  collect_groups(out);
  collect_quorum(out);
  return out;
}

void BrokerCollector::collect_requests(std::vector<MetricFamily>& out) const {
  // Requests by (api, version, error), summed over shards.
  std::map<std::tuple<int16_t, int16_t, int16_t>, uint64_t> counts;
  for (int s = 0; s < probe_.shard_count(); ++s) {
    for (const auto& row : probe_.shard(s).requests().read()) {
      counts[{row.api_key, row.api_version, row.error_code}] += row.count;
    }
  }
  MetricFamily requests = make_family("runnel_requests_total",
                                      "Kafka requests served, by API, version and the error code the handler reported",
                                      MetricType::Counter);
  for (const auto& [key, n] : counts) {
    auto [api, version, error] = key;
    add_sample(requests, {{"api", api_name(api)}, {"version", std::to_string(version)}, {"error", error_label(error)}},
               static_cast<double>(n));
  }
  out.push_back(std::move(requests));

  // Latency per API and phase, summed over shards; only APIs that were called.
  struct Phase {
    const char* name;
    const char* help;
    const metrics::LocalHistogram metrics::ShardProbe::ApiTimes::*member;
  };
  const Phase phases[] = {
      {"runnel_request_queue_seconds", "Time from a request's last byte received to its handler starting",
       &metrics::ShardProbe::ApiTimes::queue},
      {"runnel_request_process_seconds",
       "Time a request's handler ran, including waits for other cores, fsync and Fetch long polls",
       &metrics::ShardProbe::ApiTimes::process},
      {"runnel_request_send_seconds",
       "Time from a response being ready to it being written to the socket, including waiting behind earlier "
       "responses on the connection",
       &metrics::ShardProbe::ApiTimes::send},
      {"runnel_request_latency_seconds", "Time from a request's last byte received to its response written",
       &metrics::ShardProbe::ApiTimes::total},
  };
  for (const Phase& phase : phases) {
    MetricFamily f = make_family(phase.name, phase.help, MetricType::Histogram);
    for (int16_t api = 0; api < metrics::ShardProbe::kMaxApiKey; ++api) {
      metrics::HistogramData sum;
      for (int s = 0; s < probe_.shard_count(); ++s) sum.merge((probe_.shard(s).api_times(api)->*phase.member).read());
      if (sum.count() == 0) continue;
      add_histogram(f, {{"api", api_name(api)}}, sum, metrics::latency_bounds_ns(), kNsToSeconds);
    }
    out.push_back(std::move(f));
  }
}

void BrokerCollector::collect_shards(std::vector<MetricFamily>& out) const {
  MetricFamily active = make_family("runnel_connections_active", "Open Kafka client connections", MetricType::Gauge);
  MetricFamily opened =
      make_family("runnel_connections_opened_total", "Kafka client connections accepted", MetricType::Counter);
  MetricFamily closed =
      make_family("runnel_connections_closed_total", "Kafka client connections closed", MetricType::Counter);
  MetricFamily sub = make_family("runnel_io_uring_submissions_total", "io_uring submission queue entries submitted",
                                 MetricType::Counter);
  MetricFamily comp =
      make_family("runnel_io_uring_completions_total", "io_uring completions handled", MetricType::Counter);
  MetricFamily age = make_family("runnel_shard_heartbeat_age_seconds",
                                 "Time since the shard's event loop last ran its heartbeat", MetricType::Gauge);
  MetricFamily fsync = make_family("runnel_storage_fsync_seconds", "Latency of fdatasync calls on segment files",
                                   MetricType::Histogram);
  MetricFamily batch = make_family("runnel_storage_group_commit_records",
                                   "Offsets made durable by one group-commit flush round", MetricType::Histogram);
  metrics::HistogramData fsync_sum;
  metrics::HistogramData batch_sum;
  const int64_t now = metrics::mono_ns();
  for (int s = 0; s < probe_.shard_count(); ++s) {
    const metrics::ShardProbe& p = probe_.shard(s);
    std::vector<ClientMetric::Label> shard{{"shard", std::to_string(s)}};
    const uint64_t o = p.connections_opened();
    const uint64_t c = p.connections_closed();
    add_sample(active, shard, static_cast<double>(o >= c ? o - c : 0));
    add_sample(opened, shard, static_cast<double>(o));
    for (size_t r = 0; r < net::kCloseReasons; ++r) {
      auto why = static_cast<net::CloseReason>(r);
      std::vector<ClientMetric::Label> labels{{"shard", std::to_string(s)}, {"reason", net::close_reason_name(why)}};
      add_sample(closed, labels, static_cast<double>(p.connections_closed(why)));
    }
    add_sample(sub, shard, static_cast<double>(p.ring_submitted()));
    add_sample(comp, shard, static_cast<double>(p.ring_completed()));
    if (p.last_beat_ns() != 0) add_sample(age, shard, static_cast<double>(now - p.last_beat_ns()) * kNsToSeconds);
    fsync_sum.merge(p.fsync().read());
    batch_sum.merge(p.group_commit().read());
  }
  add_histogram(fsync, {}, fsync_sum, metrics::latency_bounds_ns(), kNsToSeconds);
  add_histogram(batch, {}, batch_sum, metrics::batch_bounds(), 1.0);
  for (MetricFamily* f : {&active, &opened, &closed, &sub, &comp, &age, &fsync, &batch}) out.push_back(std::move(*f));
}

void BrokerCollector::collect_partitions(std::vector<MetricFamily>& out) const {
  PartitionView view = PartitionView::gather(probe_);

  MetricFamily bytes_in = make_family("runnel_topic_bytes_in_total", "Record-batch bytes appended by Produce",
                                      MetricType::Counter);
  MetricFamily records_in =
      make_family("runnel_topic_records_in_total", "Records appended by Produce", MetricType::Counter);
  MetricFamily bytes_out = make_family("runnel_topic_bytes_out_total", "Record-batch bytes returned by Fetch",
                                       MetricType::Counter);
  for (const auto& [topic, t] : view.traffic) {
    add_sample(bytes_in, {{"topic", topic}}, static_cast<double>(t.bytes_in));
    add_sample(records_in, {{"topic", topic}}, static_cast<double>(t.records_in));
    add_sample(bytes_out, {{"topic", topic}}, static_cast<double>(t.bytes_out));
  }

  MetricFamily lso = make_family("runnel_partition_log_start_offset", "First offset in the partition's log",
                                 MetricType::Gauge);
  MetricFamily leo = make_family("runnel_partition_log_end_offset", "Offset the next appended record will get",
                                 MetricType::Gauge);
  MetricFamily hw = make_family("runnel_partition_high_watermark", "Offset up to which consumers may read",
                                MetricType::Gauge);
  MetricFamily size = make_family("runnel_partition_size_bytes", "Bytes in the partition's segments",
                                  MetricType::Gauge);
  MetricFamily segs = make_family("runnel_partition_segments", "Segments in the partition's log", MetricType::Gauge);
  int64_t emitted = 0;
  int64_t offline = 0;
  int64_t out_of_space = 0;
  for (const metrics::PartitionStats* p : view.partitions) {
    if (p->failed) ++offline;
    if (p->out_of_space) ++out_of_space;
    if (emitted >= max_partition_series_) continue;
    ++emitted;
    std::vector<ClientMetric::Label> l{{"partition", std::to_string(p->partition)}, {"topic", p->topic}};
    add_sample(lso, l, static_cast<double>(p->log_start_offset));
    add_sample(leo, l, static_cast<double>(p->log_end_offset));
    add_sample(hw, l, static_cast<double>(p->high_watermark));
    add_sample(size, l, static_cast<double>(p->size_bytes));
    add_sample(segs, l, static_cast<double>(p->segment_count));
  }
  const int64_t total = static_cast<int64_t>(view.partitions.size());
  MetricFamily count = make_family("runnel_partitions", "Partitions hosted by this broker", MetricType::Gauge);
  add_sample(count, {}, static_cast<double>(total));
  MetricFamily omitted = make_family("runnel_metrics_partitions_omitted",
                                     "Partitions without per-partition series because of "
                                     "runnel.metrics.partition.series.max",
                                     MetricType::Gauge);
  add_sample(omitted, {}, static_cast<double>(total - emitted));
  MetricFamily under = make_family("runnel_under_replicated_partitions",
                                   "Partitions led here whose in-sync replica set is smaller than the replica set",
                                   MetricType::Gauge);
  add_sample(under, {}, 0.0);  // single-node: every replica set is {self}; replication will fill this
  MetricFamily off = make_family("runnel_offline_partitions",
                                 "Partitions whose log failed (I/O error) and refuse reads and writes",
                                 MetricType::Gauge);
  add_sample(off, {}, static_cast<double>(offline));
  MetricFamily full = make_family("runnel_partitions_out_of_space",
                                  "Partitions refusing appends after ENOSPC; they retry and resume when space returns",
                                  MetricType::Gauge);
  add_sample(full, {}, static_cast<double>(out_of_space));
  MetricFamily age = make_family("runnel_partition_snapshot_age_seconds",
                                 "Age of the oldest shard snapshot the partition metrics come from", MetricType::Gauge);
  add_sample(age, {}, view.oldest_ns == 0 ? 0.0 : static_cast<double>(metrics::mono_ns() - view.oldest_ns) * kNsToSeconds);
  for (MetricFamily* f : {&bytes_in, &records_in, &bytes_out, &lso, &leo, &hw, &size, &segs, &count, &omitted,
                          &under, &off, &full, &age}) {
    out.push_back(std::move(*f));
  }
}

void BrokerCollector::collect_groups(std::vector<MetricFamily>& out) const {
  PartitionView view = PartitionView::gather(probe_);
  std::vector<GroupView> groups = gather_groups(probe_, view);
  MetricFamily count = make_family("runnel_consumer_groups", "Consumer groups coordinated by this broker",
                                   MetricType::Gauge);
  MetricFamily state = make_family("runnel_consumer_group_state",
                                   "1 for the group's current state (label state), one series per group",
                                   MetricType::Gauge);
  MetricFamily members = make_family("runnel_consumer_group_members", "Members of the consumer group",
                                     MetricType::Gauge);
  MetricFamily committed = make_family("runnel_consumer_group_committed_offset",
                                       "Offset the group committed for the partition", MetricType::Gauge);
  MetricFamily lag = make_family("runnel_consumer_group_lag",
                                 "Records between the partition's high watermark and the group's committed offset",
                                 MetricType::Gauge);
  add_sample(count, {}, static_cast<double>(groups.size()));
  int64_t emitted = 0;
  for (const GroupView& g : groups) {
    add_sample(state, {{"group", g.stats->group_id}, {"state", g.stats->state}}, 1.0);
    add_sample(members, {{"group", g.stats->group_id}}, static_cast<double>(g.stats->members));
    for (const GroupLag& l : g.lag) {
      if (emitted >= max_partition_series_) break;
      ++emitted;
      std::vector<ClientMetric::Label> labels{
          {"group", g.stats->group_id}, {"partition", std::to_string(l.offset->partition)}, {"topic", l.offset->topic}};
      add_sample(committed, labels, static_cast<double>(l.offset->committed_offset));
      if (l.lag >= 0) add_sample(lag, labels, static_cast<double>(l.lag));
    }
  }
  for (MetricFamily* f : {&count, &state, &members, &committed, &lag}) out.push_back(std::move(*f));
}

// The metadata quorum, named after Kafka's raft-metrics (current-state, current-leader,
// current-epoch, high-watermark, log-end-offset) and ActiveControllerCount. No series at all on a
// node that runs no quorum member, so that alerts about the quorum never see a lone node.
void BrokerCollector::collect_quorum(std::vector<MetricFamily>& out) const {
  MetricFamily persist = make_family("runnel_quorum_persist_seconds",
                                     "Time from the start of a group of metadata log writes to their fdatasync done "
                                     "(the disk's share of the quorum's commit latency)",
                                     MetricType::Histogram);
  metrics::HistogramData persisted;
  for (int s = 0; s < probe_.shard_count(); ++s) persisted.merge(probe_.shard(s).quorum_persist().read());
  std::shared_ptr<const metrics::QuorumSnapshot> q = probe_.quorum();
  if (!q) return;
  add_histogram(persist, {}, persisted, metrics::latency_bounds_ns(), kNsToSeconds);

  MetricFamily role = make_family("runnel_quorum_role",
                                  "1 for this node's current role in the metadata quorum (label role), 0 for the others",
                                  MetricType::Gauge);
  for (const char* r : metrics::kQuorumRoles) add_sample(role, {{"role", r}}, q->role == r ? 1.0 : 0.0);
  MetricFamily active = make_family("runnel_quorum_active_controller",
                                    "1 on the node that leads the metadata quorum (Kafka's ActiveControllerCount)",
                                    MetricType::Gauge);
  add_sample(active, {{"cluster_id", probe_.cluster_id()}}, q->leader() ? 1.0 : 0.0);
  MetricFamily leader = make_family("runnel_quorum_leader_id", "Node id of the quorum leader this node last knew in its epoch, -1 for none",
                                    MetricType::Gauge);
  add_sample(leader, {}, q->leader_id);
  MetricFamily epoch = make_family("runnel_quorum_epoch", "The quorum epoch this node is in", MetricType::Gauge);
  add_sample(epoch, {}, q->epoch);
  MetricFamily hw = make_family("runnel_quorum_high_watermark",
                                "Offset below which this node knows the metadata log to be committed", MetricType::Gauge);
  add_sample(hw, {}, static_cast<double>(q->high_watermark));
  MetricFamily leo = make_family("runnel_quorum_log_end_offset", "Offset the next record of this node's metadata log will get",
                                 MetricType::Gauge);
  add_sample(leo, {}, static_cast<double>(q->log_end_offset));
  MetricFamily failed = make_family("runnel_quorum_failed",
                                    "1 once a metadata log write failed: the node no longer takes part in the quorum",
                                    MetricType::Gauge);
  add_sample(failed, {}, q->failed ? 1.0 : 0.0);
  MetricFamily voters = make_family("runnel_quorum_voters", "Voters of the metadata quorum (controller.quorum.voters)",
                                    MetricType::Gauge);
  add_sample(voters, {}, static_cast<double>(q->voters.size()));

  // The leader's view of each voter (itself included, at lag 0).
  MetricFamily f_leo = make_family("runnel_quorum_follower_log_end_offset",
                                   "On the quorum leader: the voter's metadata log end offset, as its last Fetch said",
                                   MetricType::Gauge);
  MetricFamily f_lag = make_family("runnel_quorum_follower_lag_records",
                                   "On the quorum leader: records the voter's log is behind the leader's log end offset",
                                   MetricType::Gauge);
  MetricFamily f_age = make_family("runnel_quorum_follower_fetch_age_seconds",
                                   "On the quorum leader: time since the voter last fetched", MetricType::Gauge);
  for (const metrics::QuorumVoterStats& v : q->voters) {
    if (v.log_end_offset < 0) continue;
    std::vector<ClientMetric::Label> l{{"voter", std::to_string(v.id)}};
    add_sample(f_leo, l, static_cast<double>(v.log_end_offset));
    add_sample(f_lag, l, static_cast<double>(std::max<int64_t>(0, q->log_end_offset - v.log_end_offset)));
    if (v.last_fetch_age_ms >= 0) add_sample(f_age, l, static_cast<double>(v.last_fetch_age_ms) / 1000.0);
  }
  // Registered brokers by state, from this node's committed metadata image (Kafka's active
  // controller exports ActiveBrokerCount and FencedBrokerCount).
  MetricFamily brokers = make_family("runnel_cluster_brokers",
                                     "Brokers registered in the committed metadata image, by registration state",
                                     MetricType::Gauge);
  if (q->brokers_known) {
    for (const char* state : {"fenced", "unfenced", "shutting_down"}) {
      const auto n = std::count_if(q->brokers.begin(), q->brokers.end(),
                                   [&](const metrics::ClusterBrokerStats& b) { return b.state == state; });
      add_sample(brokers, {{"state", state}}, static_cast<double>(n));
    }
  }
  for (MetricFamily* f :
       {&role, &active, &leader, &epoch, &hw, &leo, &failed, &voters, &f_leo, &f_lag, &f_age, &persist, &brokers}) {
    out.push_back(std::move(*f));
  }
}

}  // namespace runnel::admin
