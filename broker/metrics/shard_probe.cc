#include "broker/metrics/shard_probe.h"

namespace runnel::metrics {

namespace {
thread_local ShardProbe* tls_probe = nullptr;
}

ShardProbe* this_shard_probe() { return tls_probe; }
void bind_this_shard_probe(ShardProbe* probe) { tls_probe = probe; }

void ShardProbe::on_produced(const std::string& topic, uint64_t bytes, uint64_t records) {
  auto it = traffic_.find(topic);
  if (it == traffic_.end()) it = traffic_.emplace(topic, TopicTraffic{}).first;
  it->second.bytes_in += bytes;
  it->second.records_in += records;
}

void ShardProbe::on_fetched(const std::string& topic, uint64_t bytes) {
  auto it = traffic_.find(topic);
  if (it == traffic_.end()) it = traffic_.emplace(topic, TopicTraffic{}).first;
  it->second.bytes_out += bytes;
}

void ShardProbe::publish(std::vector<PartitionStats> partitions, int64_t now_ns) {
  auto snap = std::make_shared<ShardSnapshot>();
  snap->taken_at_ns = now_ns;
  snap->partitions = std::move(partitions);
  snap->topics.reserve(traffic_.size());
  for (const auto& [name, t] : traffic_) snap->topics.emplace_back(name, t);
  snapshot_.publish(std::move(snap));
}

}  // namespace runnel::metrics
