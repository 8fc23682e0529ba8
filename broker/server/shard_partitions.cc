// A shard's partitions follow its metadata image: adopt_image() switches the image at once and
// a reconciliation opens what the image adds on this core and removes what it deletes, in the
// background, as a Kafka broker's metadata publisher hands topic deltas to its ReplicaManager
// after the controller has answered. install_image() waits for it.

#include <fcntl.h>

#include <algorithm>

#include "broker/cluster/partition_metadata.h"
#include "broker/io/blocking.h"
#include "broker/io/for_each.h"
#include "broker/log/log.h"
#include "broker/metrics/clock.h"
#include "broker/model/assert.h"
#include "broker/server/broker.h"
#include "broker/server/partition_opener.h"
#include "broker/server/shard.h"

namespace runnel::server {

namespace {

std::string partition_key(const std::string& topic, int32_t partition) {
  return topic + "-" + std::to_string(partition);
}

// Partitions removed at once: each removal is a handful of ring unlinks, so a deleted batch of
// topics (thousands of partitions) is not a chain of round trips, and the ring is not flooded.
constexpr size_t kRemovalsInFlight = 16;

}  // namespace

cluster::Partition* Shard::partition(const std::string& topic, int32_t partition) {
  auto it = partitions_.find(partition_key(topic, partition));
  return it == partitions_.end() ? nullptr : it->second.get();
}

void Shard::adopt_image(cluster::ImagePtr image) {
  image_ = std::move(image);
  // Shutting down (a topic change from a request still in flight on another core): shutdown()
  // walks and then drops partitions_, so it changes no more; the next start opens what the
  // saved image says.
  if (shutting_down_ || reconcile_queued_) return;
  // Set before the spawn: the run starts inline and clears it once it holds the mutex.
  reconcile_queued_ = true;
  if (!reconcile_tasks_.spawn(reconcile(true))) reconcile_queued_ = false;
}

io::Task<void> Shard::install_image(cluster::ImagePtr image) {
  image_ = std::move(image);
  if (shutting_down_) co_return;
  co_await reconcile(false);
}

io::Task<void> Shard::reconcile(bool queued) {
  auto guard = co_await reconcile_mutex_.lock();
  if (queued) reconcile_queued_ = false;  // an image adopted from now on needs another pass
  while (!shutting_down_ && reconciled_ != image_) {
    cluster::ImagePtr target = image_;
    co_await reconcile_to(*target);
    reconciled_ = std::move(target);
  }
}

io::Task<void> Shard::reconcile_to(const cluster::MetadataImage& image) {
  // 1. Partitions whose topic is gone (or was re-created with a new id) go first: a re-created
  // topic's partitions use the same directory names.
  std::vector<std::unique_ptr<cluster::Partition>> gone;
  for (auto it = partitions_.begin(); it != partitions_.end();) {
    const cluster::TopicInfo* t = image.topic(it->second->topic());
    const bool keep = t != nullptr && t->id == it->second->topic_id() &&
                      it->second->index() < static_cast<int32_t>(t->partitions.size());
    if (keep) {
      ++it;
      continue;
    }
    gone.push_back(std::move(it->second));
    it = partitions_.erase(it);
  }
  if (!gone.empty()) {
    const size_t removed = gone.size();
    const int64_t start_ns = metrics::mono_ns();
    co_await remove_partitions(std::move(gone));
    RUNNEL_LOG(info, "core %d: removed %zu partitions in %lld ms", index_, removed,
               static_cast<long long>((metrics::mono_ns() - start_ns) / 1'000'000));
  }
  // 2. Partitions kept follow the image; those new on this core are opened together.
  struct NewPartition {
    std::string topic;
    int32_t index;
    LeaderEpoch leader_epoch;
  };
  std::vector<NewPartition> added;
  std::vector<PartitionOpen> batch;
  const NodeId self = broker_.config().node_id;
  for (const auto& [name, topic] : image.topics) {
    for (const cluster::PartitionInfo& p : topic->partitions) {
      if (broker_.owner_of(name, p.partition) != index_) continue;
      // Only replicas this broker holds (in a cluster, the others live on other brokers).
      if (std::find(p.replicas.begin(), p.replicas.end(), self) == p.replicas.end()) continue;
      std::string key = partition_key(name, p.partition);
      if (auto it = partitions_.find(key); it != partitions_.end()) {
        RUNNEL_ASSERT(it->second->topic_id() == topic->id, "partition %s of another topic id survived step 1",
                      key.c_str());
        it->second->log().update_config(storage::from(topic->effective));
        // Leadership changes (a broker fenced, unfenced, re-registered) bump the epoch that
        // clients send and that stamps new batches.
        if (p.leader_epoch > it->second->leader_epoch()) it->second->set_leader_epoch(p.leader_epoch);
        continue;
      }
      added.push_back({name, p.partition, p.leader_epoch});
      batch.push_back({broker_.log_dir() + "/" + key, storage::from(topic->effective), topic->id, nullptr, {}});
    }
  }
  if (batch.empty()) co_return;
  const int64_t start_ns = metrics::mono_ns();
  // Blocking file-system work: helper threads once serving, so that this ring keeps serving.
  storage::LogEnv* env = &log_env_;
  const std::string& log_dir = broker_.log_dir();
  // (An if, not ?:, around co_await: g++ 12 miscompiles co_await inside a conditional.)
  if (serving_) {
    auto open = [env, &log_dir, &batch] {
      open_partitions(*env, log_dir, batch, /*background=*/true);
      return true;
    };
    co_await io::run_blocking(ring_, open);
  } else {
    open_partitions(*env, log_dir, batch, /*background=*/false);
  }
  // One line per pass (not per partition): how long new partitions waited to serve.
  RUNNEL_LOG(info, "core %d: opened %zu partitions in %lld ms", index_, batch.size(),
             static_cast<long long>((metrics::mono_ns() - start_ns) / 1'000'000));
  for (size_t i = 0; i < batch.size(); ++i) {
    const std::string key = partition_key(added[i].topic, added[i].index);
    if (!batch[i].log) {
      RUNNEL_LOG(error, "cannot open partition %s: %s", key.c_str(), batch[i].error.c_str());
      continue;
    }
    RUNNEL_ASSERT(!partitions_.contains(key), "partition %s opened twice", key.c_str());
    partitions_[key] = std::make_unique<cluster::Partition>(added[i].topic, added[i].index, batch[i].topic_id,
                                                            added[i].leader_epoch, std::move(batch[i].log),
                                                            broker_.next_partition_uid());
  }
}

io::Task<void> Shard::remove_partitions(std::vector<std::unique_ptr<cluster::Partition>> gone) {
  size_t next = 0;
  auto remove_some = [this, &gone, &next](size_t) -> io::Task<void> {
    while (next < gone.size()) {
      cluster::Partition& p = *gone[next++];
      co_await p.gate().close();  // requests still reading or appending finish first
      const std::string dir = p.log().dir();
      co_await p.log().remove();
      // partition.metadata goes last: a crash before leaves records with the file naming their
      // topic id, which a re-created topic of the same name then recognises as stale
      // (partition_opener.h).
      const std::string metadata = dir + "/partition.metadata";
      co_await log_files_.unlink(AT_FDCWD, metadata.c_str());
      co_await log_files_.unlink(AT_FDCWD, dir.c_str(), AT_REMOVEDIR);
    }
  };
  co_await io::for_each(ring_, std::min(gone.size(), kRemovalsInFlight), remove_some);
}

}  // namespace runnel::server
