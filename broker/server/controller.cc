#include "broker/server/controller.h"

#include <set>

#include "broker/cluster/topic_name.h"
#include "broker/config/broker_config.h"
#include "broker/log/log.h"
#include "broker/server/broker.h"
#include "broker/server/cross_call.h"
#include "broker/server/shard.h"

namespace runnel::server {

namespace {
// Producer ids are handed out from blocks persisted ahead of use, so ids are never reused
// after a restart even though not every allocation is written down.
constexpr int64_t kProducerIdBlock = 1000;

int32_t live_broker_count(const cluster::MetadataImage& image) { return static_cast<int32_t>(image.brokers.size()); }

bool broker_exists(const cluster::MetadataImage& image, int32_t id) {
  for (const auto& b : image.brokers) {
    if (b.node_id == id) return true;
  }
  return false;
}
}  // namespace

Controller::Controller(Broker& broker, cluster::ImagePtr image, int64_t producer_id_block_end)
    : broker_(broker), image_(std::move(image)), next_producer_id_(producer_id_block_end),
      producer_id_block_end_(producer_id_block_end) {}

Controller::TopicResult Controller::check_new_topic(const cluster::MetadataImage& image, NewTopic& t) const {
  TopicResult r;
  const auto& cfg = broker_.config();
  if (std::string why = cluster::validate_topic_name(t.name); !why.empty()) {
    return {ErrorCode::invalid_topic_exception, why};
  }
  if (image.topic(t.name) != nullptr) {
    return {ErrorCode::topic_already_exists, "Topic '" + t.name + "' already exists."};
  }
  for (const auto& [name, info] : image.topics) {
    if (cluster::collision_key(name) == cluster::collision_key(t.name)) {
      return {ErrorCode::invalid_topic_exception,
              "Topic '" + t.name + "' collides with existing topic: " + name};
    }
  }
  if (!t.assignment.empty()) {
    if (t.partitions != -1 || t.replication_factor != -1) {
      return {ErrorCode::invalid_request,
              "Both numPartitions or replicationFactor and replicasAssignments were set. Both cannot be used at the same time."};
    }
    for (size_t i = 0; i < t.assignment.size(); ++i) {
      const auto& replicas = t.assignment[i];
      if (replicas.empty()) return {ErrorCode::invalid_replica_assignment, "Replica assignment for partition " + std::to_string(i) + " is empty."};
      std::set<int32_t> seen(replicas.begin(), replicas.end());
      if (seen.size() != replicas.size()) {
        return {ErrorCode::invalid_replica_assignment, "Duplicate brokers not allowed in replica assignment."};
      }
      for (int32_t b : replicas) {
        if (!broker_exists(image, b)) {
          return {ErrorCode::invalid_replica_assignment, "The manual partition assignment includes broker " +
                                                              std::to_string(b) + ", but no such broker is registered."};
        }
      }
    }
    t.partitions = static_cast<int32_t>(t.assignment.size());
    t.replication_factor = static_cast<int16_t>(t.assignment.front().size());
  } else {
    if (t.partitions == -1) t.partitions = cfg.num_partitions;
    if (t.replication_factor == -1) t.replication_factor = static_cast<int16_t>(cfg.default_replication_factor);
    if (t.partitions <= 0) {
      return {ErrorCode::invalid_partitions, "Number of partitions was set to an invalid non-positive value."};
    }
    if (t.replication_factor <= 0) {
      return {ErrorCode::invalid_replication_factor,
              "Replication factor must be larger than 0, or -1 to use the default value."};
    }
    if (t.replication_factor > live_broker_count(image)) {
      return {ErrorCode::invalid_replication_factor,
              "Unable to replicate the partition " + std::to_string(t.replication_factor) +
                  " time(s): The target replication factor of " + std::to_string(t.replication_factor) +
                  " cannot be reached because only " + std::to_string(live_broker_count(image)) +
                  " broker(s) are registered."};
    }
  }
  if (auto err = config::validate_topic_overrides(cfg, t.configs); err.code != ErrorCode::none) {
    return {err.code, err.message};
  }
  r.partitions = t.partitions;
  r.replication_factor = t.replication_factor;
  return r;
}

io::Task<std::vector<Controller::TopicResult>> Controller::create_topics(std::vector<NewTopic> topics,
                                                                         bool validate_only) {
  auto guard = co_await mutex_.lock();
  std::vector<TopicResult> results(topics.size());
  auto next = std::make_shared<cluster::MetadataImage>(*image_);
  bool changed = false;
  for (size_t i = 0; i < topics.size(); ++i) {
    NewTopic& t = topics[i];
    results[i] = check_new_topic(*next, t);
    if (results[i].error != ErrorCode::none || validate_only) continue;
    auto info = std::make_shared<cluster::TopicInfo>();
    info->name = t.name;
    info->id = Uuid::random();
    info->internal = t.name.rfind("__", 0) == 0 && (t.name == "__consumer_offsets" || t.name == "__transaction_state");
    info->overrides = t.configs;
    auto effective = config::topic_config_for(broker_.config(), info->overrides);
    if (effective.ok()) info->effective = effective.value();
    for (int32_t p = 0; p < t.partitions; ++p) {
      cluster::PartitionInfo pi;
      pi.partition = p;
      pi.replicas = t.assignment.empty() ? std::vector<int32_t>{broker_.config().node_id} : t.assignment[static_cast<size_t>(p)];
      pi.isr = pi.replicas;
      pi.leader = pi.replicas.front();
      info->partitions.push_back(pi);
    }
    results[i].topic_id = info->id;
    next->name_by_id[info->id.to_base64()] = info->name;
    next->topics[info->name] = std::move(info);
    changed = true;
  }
  if (changed) {
    if (!co_await commit(next)) {
      for (auto& r : results) {
        if (r.error == ErrorCode::none) r = {ErrorCode::kafka_storage_error, "Failed to persist cluster metadata"};
      }
    } else {
      for (size_t i = 0; i < topics.size(); ++i) {
        if (results[i].error == ErrorCode::none) RUNNEL_LOG(info, "created topic %s", topics[i].name.c_str());
      }
    }
  }
  co_return results;
}

io::Task<std::vector<Controller::TopicResult>> Controller::delete_topics(
    std::vector<std::pair<std::string, Uuid>> topics) {
  auto guard = co_await mutex_.lock();
  std::vector<TopicResult> results(topics.size());
  auto next = std::make_shared<cluster::MetadataImage>(*image_);
  bool changed = false;
  for (size_t i = 0; i < topics.size(); ++i) {
    auto& [name, id] = topics[i];
    const cluster::TopicInfo* t = name.empty() ? next->topic_by_id(id) : next->topic(name);
    if (t == nullptr) {
      results[i] = name.empty() ? TopicResult{ErrorCode::unknown_topic_id, "Topic id " + id.to_base64() + " not found."}
                                : TopicResult{ErrorCode::unknown_topic_or_partition,
                                              "This server does not host this topic-partition."};
      continue;
    }
    if (!broker_.config().delete_topic_enable) {
      results[i] = {ErrorCode::topic_deletion_disabled, "Topic deletion is disabled."};
      continue;
    }
    results[i].topic_id = t->id;
    if (name.empty()) name = t->name;
    next->name_by_id.erase(t->id.to_base64());
    next->topics.erase(name);
    changed = true;
  }
  if (changed && !co_await commit(next)) {
    for (auto& r : results) {
      if (r.error == ErrorCode::none) r = {ErrorCode::kafka_storage_error, "Failed to persist cluster metadata"};
    }
  }
  co_return results;
}

io::Task<Controller::TopicResult> Controller::create_partitions(std::string topic, int32_t new_total,
                                                                std::vector<std::vector<int32_t>> assignment,
                                                                bool validate_only) {
  auto guard = co_await mutex_.lock();
  const cluster::TopicInfo* t = image_->topic(topic);
  if (t == nullptr) co_return TopicResult{ErrorCode::unknown_topic_or_partition, "The topic '" + topic + "' does not exist."};
  int32_t current = static_cast<int32_t>(t->partitions.size());
  if (new_total < current) {
    co_return TopicResult{ErrorCode::invalid_partitions, "The topic " + topic + " currently has " +
                                                             std::to_string(current) +
                                                             " partition(s); " + std::to_string(new_total) +
                                                             " would not be an increase."};
  }
  if (new_total == current) {
    co_return TopicResult{ErrorCode::invalid_partitions, "Topic already has " + std::to_string(current) + " partition(s)."};
  }
  if (!assignment.empty() && static_cast<int32_t>(assignment.size()) != new_total - current) {
    co_return TopicResult{ErrorCode::invalid_replica_assignment,
                          "Attempted to add " + std::to_string(new_total - current) + " additional partition(s), but only " +
                              std::to_string(assignment.size()) + " assignment(s) were specified."};
  }
  for (const auto& replicas : assignment) {
    for (int32_t b : replicas) {
      if (!broker_exists(*image_, b)) {
        co_return TopicResult{ErrorCode::invalid_replica_assignment,
                              "The manual partition assignment includes broker " + std::to_string(b) +
                                  ", but no such broker is registered."};
      }
    }
  }
  TopicResult ok;
  ok.topic_id = t->id;
  ok.partitions = new_total;
  if (validate_only) co_return ok;
  auto next = std::make_shared<cluster::MetadataImage>(*image_);
  auto copy = std::make_shared<cluster::TopicInfo>(*t);
  for (int32_t p = current; p < new_total; ++p) {
    cluster::PartitionInfo pi;
    pi.partition = p;
    pi.replicas = assignment.empty() ? t->partitions.front().replicas : assignment[static_cast<size_t>(p - current)];
    pi.isr = pi.replicas;
    pi.leader = pi.replicas.front();
    copy->partitions.push_back(pi);
  }
  next->topics[topic] = std::move(copy);
  if (!co_await commit(next)) co_return TopicResult{ErrorCode::kafka_storage_error, "Failed to persist cluster metadata"};
  co_return ok;
}

io::Task<Controller::TopicResult> Controller::alter_topic_configs(
    std::string topic, std::vector<std::pair<std::string, std::optional<std::string>>> changes, bool incremental,
    bool validate_only) {
  auto guard = co_await mutex_.lock();
  const cluster::TopicInfo* t = image_->topic(topic);
  if (t == nullptr) co_return TopicResult{ErrorCode::unknown_topic_or_partition, "The topic '" + topic + "' does not exist."};
  config::RawConfigs overrides = incremental ? t->overrides : config::RawConfigs{};
  for (auto& [k, v] : changes) {
    if (v) {
      overrides[k] = *v;
    } else {
      overrides.erase(k);
    }
  }
  if (auto err = config::validate_topic_overrides(broker_.config(), overrides); err.code != ErrorCode::none) {
    co_return TopicResult{err.code, err.message};
  }
  TopicResult ok;
  ok.topic_id = t->id;
  if (validate_only) co_return ok;
  auto next = std::make_shared<cluster::MetadataImage>(*image_);
  auto copy = std::make_shared<cluster::TopicInfo>(*t);
  copy->overrides = std::move(overrides);
  auto effective = config::topic_config_for(broker_.config(), copy->overrides);
  if (effective.ok()) copy->effective = effective.value();
  next->topics[topic] = std::move(copy);
  if (!co_await commit(next)) co_return TopicResult{ErrorCode::kafka_storage_error, "Failed to persist cluster metadata"};
  co_return ok;
}

io::Task<int64_t> Controller::allocate_producer_id() {
  if (next_producer_id_ >= producer_id_block_end_) {
    auto guard = co_await mutex_.lock();
    if (next_producer_id_ >= producer_id_block_end_) {
      int64_t new_end = producer_id_block_end_ + kProducerIdBlock;
      if (!co_await broker_.store().save(broker_.shard(0).ring(), *image_, new_end)) co_return -1;
      producer_id_block_end_ = new_end;
    }
  }
  co_return next_producer_id_++;
}

io::Task<bool> Controller::commit(std::shared_ptr<cluster::MetadataImage> next) {
  next->version = image_->version + 1;
  if (!co_await broker_.store().save(broker_.shard(0).ring(), *next, producer_id_block_end_)) co_return false;
  image_ = next;
  io::Ring& home = broker_.shard(0).ring();
  for (int i = 0; i < broker_.shard_count(); ++i) {
    Shard& s = broker_.shard(i);
    cluster::ImagePtr img = image_;
    co_await on(home, s.ring(), [&s, img]() -> io::Task<bool> {
      co_await s.install_image(img);
      co_return true;
    });
  }
  co_return true;
}

}  // namespace runnel::server
