#include "broker/metrics/broker_probe.h"

#include <chrono>

#include "broker/model/assert.h"

namespace runnel::metrics {

void BrokerProbe::init(int shard_count) {
  RUNNEL_ASSERT(shards_.empty(), "BrokerProbe initialised twice");
  RUNNEL_ASSERT(shard_count > 0 && shard_count <= 64, "shard count %d", shard_count);
  for (int i = 0; i < shard_count; ++i) shards_.push_back(std::make_unique<ShardProbe>(i));
  started_at_unix_ms_ = std::chrono::duration_cast<std::chrono::milliseconds>(
                            std::chrono::system_clock::now().time_since_epoch()).count();
}

void BrokerProbe::mark_metadata_loaded(std::string cluster_id) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    cluster_id_ = std::move(cluster_id);
  }
  metadata_loaded_ = true;
}

void BrokerProbe::mark_shard_serving(int i) { serving_mask_.fetch_or(uint64_t{1} << i); }
void BrokerProbe::mark_ready() { ready_ = true; }
void BrokerProbe::mark_stopping() { stopping_ = true; }

std::string BrokerProbe::cluster_id() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return cluster_id_;
}

}  // namespace runnel::metrics
