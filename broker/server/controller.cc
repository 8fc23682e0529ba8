#include "broker/server/controller.h"

#include <algorithm>

#include "broker/cluster/topic_name.h"
#include "broker/config/broker_config.h"
#include "broker/config/list_op.h"
#include "broker/log/log.h"
#include "broker/model/assert.h"
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
    if (b.node_id == NodeId(id)) return true;
  }
  return false;
}

Unexpected<cluster::Error> refuse(cluster::Errc code, std::string message = {}) {
  return Unexpected(cluster::Error{code, std::move(message)});
}

Unexpected<cluster::Error> not_persisted(cluster::Errc code) {
  return refuse(code, "Failed to persist cluster metadata");
}
}  // namespace

Controller::Controller(Broker& broker, cluster::ImagePtr image, int64_t producer_id_block_end)
    : broker_(broker), image_(std::move(image)), next_producer_id_(producer_id_block_end),
      producer_id_block_end_(producer_id_block_end) {}

// Kafka's ReplicationControlManager.validateManualPartitionAssignment.
Result<void, cluster::Error> Controller::check_assignment(const cluster::MetadataImage& image,
                                                         const std::vector<int32_t>& replicas,
                                                         std::optional<size_t> replication_factor) const {
  if (replicas.empty()) {
    return refuse(cluster::Errc::invalid_replica_assignment,
                  "The manual partition assignment includes an empty replica list.");
  }
  std::vector<int32_t> sorted = replicas;
  std::sort(sorted.begin(), sorted.end());
  for (size_t i = 0; i < sorted.size(); ++i) {
    if (!broker_exists(image, sorted[i])) {
      return refuse(cluster::Errc::invalid_replica_assignment, "The manual partition assignment includes broker " +
                                                                   std::to_string(sorted[i]) +
                                                                   ", but no such broker is registered.");
    }
    if (i > 0 && sorted[i] == sorted[i - 1]) {
      return refuse(cluster::Errc::invalid_replica_assignment,
                    "The manual partition assignment includes the broker " + std::to_string(sorted[i]) +
                        " more than once.");
    }
  }
  if (replication_factor && sorted.size() != *replication_factor) {
    return refuse(cluster::Errc::invalid_replica_assignment,
                  "The manual partition assignment includes a partition with " + std::to_string(sorted.size()) +
                      " replica(s), but this is not consistent with previous partitions, which have " +
                      std::to_string(*replication_factor) + " replica(s).");
  }
  return {};
}

// Checks in the order of Kafka's ReplicationControlManager.createTopics: name, existence,
// configs, then partitions and replicas.
Controller::TopicResult Controller::check_new_topic(const cluster::MetadataImage& image, NewTopic& t) const {
  const auto& cfg = broker_.config();
  if (auto valid = cluster::validate_topic_name(t.name); !valid) {
    return refuse(cluster::Errc::invalid_topic, std::move(valid).error());
  }
  if (image.topic(t.name) != nullptr) {
    return refuse(cluster::Errc::topic_exists, "Topic '" + t.name + "' already exists.");
  }
  for (const auto& [name, info] : image.topics) {
    if (cluster::collision_key(name) == cluster::collision_key(t.name)) {
      return refuse(cluster::Errc::invalid_topic, "Topic '" + t.name + "' collides with existing topic: " + name);
    }
  }
  // Topic configs are all updatable: the only refusal is ConfigErrc::invalid_value.
  if (config::Validation valid = config::validate_topic_overrides(cfg, t.configs); !valid) {
    return refuse(cluster::Errc::invalid_config, valid.error().message);
  }
  if (!t.assignment.empty()) {
    if (t.replication_factor != -1) {
      return refuse(cluster::Errc::assignment_with_counts,
                    "A manual partition assignment was specified, but replication factor was not set to -1.");
    }
    if (t.partitions != -1) {
      return refuse(cluster::Errc::assignment_with_counts,
                    "A manual partition assignment was specified, but numPartitions was not set to -1.");
    }
    std::optional<size_t> rf;
    for (const auto& replicas : t.assignment) {
      if (auto bad = check_assignment(image, replicas, rf); !bad) return Unexpected(std::move(bad).error());
      rf = replicas.size();
    }
    t.partitions = static_cast<int32_t>(t.assignment.size());
    t.replication_factor = static_cast<int16_t>(t.assignment.front().size());
  } else {
    if (t.replication_factor < -1 || t.replication_factor == 0) {
      return refuse(cluster::Errc::invalid_replication_factor,
                    "Replication factor must be larger than 0, or -1 to use the default value.");
    }
    if (t.partitions < -1 || t.partitions == 0) {
      return refuse(cluster::Errc::invalid_partitions, "Number of partitions was set to an invalid non-positive value.");
    }
    if (t.partitions == -1) t.partitions = cfg.num_partitions;
    if (t.replication_factor == -1) t.replication_factor = static_cast<int16_t>(cfg.default_replication_factor);
    if (t.replication_factor > live_broker_count(image)) {
      return refuse(cluster::Errc::invalid_replication_factor,
                    "Unable to replicate the partition " + std::to_string(t.replication_factor) +
                        " time(s): The target replication factor of " + std::to_string(t.replication_factor) +
                        " cannot be reached because only " + std::to_string(live_broker_count(image)) +
                        " broker(s) are registered.");
    }
  }
  return TopicChange{Uuid{}, t.partitions, t.replication_factor};
}

io::Task<std::vector<Controller::TopicResult>> Controller::create_topics(std::vector<NewTopic> topics,
                                                                         bool validate_only) {
  if (quorum_ != nullptr) co_return co_await quorum_create_topics(std::move(topics), validate_only);
  auto guard = co_await mutex_.lock();
  std::vector<TopicResult> results(topics.size());
  auto next = std::make_shared<cluster::MetadataImage>(*image_);
  bool changed = false;
  for (size_t i = 0; i < topics.size(); ++i) {
    NewTopic& t = topics[i];
    results[i] = check_new_topic(*next, t);
    if (!results[i] || validate_only) continue;
    auto info = std::make_shared<cluster::TopicInfo>();
    info->name = t.name;
    info->id = Uuid::random();
    info->internal = t.name.rfind("__", 0) == 0 && (t.name == "__consumer_offsets" || t.name == "__transaction_state");
    info->overrides = t.configs;
    auto effective = config::topic_config_for(broker_.config(), info->overrides);
    if (effective.has_value()) info->effective = effective.value();
    for (int32_t p = 0; p < t.partitions; ++p) {
      cluster::PartitionInfo pi;
      pi.partition = p;
      pi.replicas = t.assignment.empty() ? std::vector<NodeId>{broker_.config().node_id}
                                         : wrap_all<NodeId>(t.assignment[static_cast<size_t>(p)]);
      pi.isr = pi.replicas;
      pi.leader = pi.replicas.front();
      info->partitions.push_back(pi);
    }
    results[i]->topic_id = info->id;
    next->name_by_id[info->id.to_base64()] = info->name;
    next->topics[info->name] = std::move(info);
    changed = true;
  }
  if (changed) {
    if (Result<void, cluster::Errc> committed = co_await commit(next); !committed) {
      for (auto& r : results) {
        if (r) r = not_persisted(committed.error());
      }
    } else {
      for (size_t i = 0; i < topics.size(); ++i) {
        if (results[i]) RUNNEL_LOG(info, "created topic %s", topics[i].name.c_str());
      }
    }
  }
  co_return results;
}

io::Task<std::vector<Controller::TopicResult>> Controller::delete_topics(
    std::vector<std::pair<std::string, Uuid>> topics) {
  if (quorum_ != nullptr) co_return co_await quorum_delete_topics(std::move(topics));
  auto guard = co_await mutex_.lock();
  std::vector<TopicResult> results(topics.size());
  auto next = std::make_shared<cluster::MetadataImage>(*image_);
  bool changed = false;
  for (size_t i = 0; i < topics.size(); ++i) {
    auto& [name, id] = topics[i];
    const cluster::TopicInfo* t = name.empty() ? next->topic_by_id(id) : next->topic(name);
    if (t == nullptr) {
      // Kafka sends these two without a message (the code says it all).
      results[i] = refuse(name.empty() ? cluster::Errc::unknown_topic_id : cluster::Errc::unknown_topic);
      continue;
    }
    if (!broker_.config().delete_topic_enable) {
      results[i] = refuse(cluster::Errc::topic_deletion_disabled, "Topic deletion is disabled.");
      continue;
    }
    results[i]->topic_id = t->id;
    if (name.empty()) name = t->name;
    next->name_by_id.erase(t->id.to_base64());
    next->topics.erase(name);
    changed = true;
  }
  if (changed) {
    if (Result<void, cluster::Errc> committed = co_await commit(next); !committed) {
      for (auto& r : results) {
        if (r) r = not_persisted(committed.error());
      }
    }
  }
  co_return results;
}

io::Task<Controller::TopicResult> Controller::create_partitions(
    std::string topic, int32_t new_total, std::optional<std::vector<std::vector<int32_t>>> assignment,
    bool validate_only) {
  if (quorum_ != nullptr) {
    co_return co_await quorum_create_partitions(std::move(topic), new_total, std::move(assignment), validate_only);
  }
  auto guard = co_await mutex_.lock();
  const cluster::TopicInfo* t = image_->topic(topic);
  if (t == nullptr) co_return refuse(cluster::Errc::unknown_topic);
  int32_t current = static_cast<int32_t>(t->partitions.size());
  if (new_total == current) {
    co_return refuse(cluster::Errc::invalid_partitions,
                     "Topic already has " + std::to_string(current) + " partition(s).");
  }
  if (new_total < current) {
    co_return refuse(cluster::Errc::invalid_partitions, "The topic " + topic + " currently has " +
                                                            std::to_string(current) + " partition(s); " +
                                                            std::to_string(new_total) + " would not be an increase.");
  }
  if (assignment && static_cast<int32_t>(assignment->size()) != new_total - current) {
    co_return refuse(cluster::Errc::invalid_replica_assignment,
                     "Attempted to add " + std::to_string(new_total - current) + " additional partition(s), but only " +
                         std::to_string(assignment->size()) + " assignment(s) were specified.");
  }
  RUNNEL_ASSERT(current > 0, "topic %s has no partitions", topic.c_str());
  size_t replication_factor = t->partitions.front().replicas.size();
  if (assignment) {
    for (const auto& replicas : *assignment) {
      if (auto bad = check_assignment(*image_, replicas, replication_factor); !bad) {
        co_return Unexpected(std::move(bad).error());
      }
    }
  }
  TopicChange ok{t->id, new_total, static_cast<int16_t>(replication_factor)};
  if (validate_only) co_return ok;
  auto next = std::make_shared<cluster::MetadataImage>(*image_);
  auto copy = std::make_shared<cluster::TopicInfo>(*t);
  for (int32_t p = current; p < new_total; ++p) {
    cluster::PartitionInfo pi;
    pi.partition = p;
    pi.replicas = assignment ? wrap_all<NodeId>((*assignment)[static_cast<size_t>(p - current)])
                             : t->partitions.front().replicas;
    pi.isr = pi.replicas;
    pi.leader = pi.replicas.front();
    copy->partitions.push_back(pi);
  }
  next->topics[topic] = std::move(copy);
  if (Result<void, cluster::Errc> committed = co_await commit(next); !committed) {
    co_return not_persisted(committed.error());
  }
  co_return ok;
}

namespace {

// Applies one APPEND or SUBTRACT (config/list_op.h); returns false when the config is not a LIST.
bool apply_list_op(config::RawConfigs& overrides, const Controller::ConfigChange& c) {
  std::optional<std::string> now;
  if (auto it = overrides.find(c.name); it != overrides.end()) now = it->second;
  auto next = config::apply_list_op(c.name, now, c.value, c.op == Controller::ConfigChange::Op::append);
  if (!next) return false;
  overrides[c.name] = *next;
  return true;
}

}  // namespace

io::Task<Controller::TopicResult> Controller::alter_topic_configs(std::string topic, std::vector<ConfigChange> changes,
                                                                  bool incremental, bool validate_only) {
  if (quorum_ != nullptr) {
    co_return co_await quorum_alter_topic_configs(std::move(topic), std::move(changes), incremental, validate_only);
  }
  auto guard = co_await mutex_.lock();
  const cluster::TopicInfo* t = image_->topic(topic);
  // As Kafka's controller: apply and validate the configs first, then check the topic exists.
  config::RawConfigs overrides = incremental && t != nullptr ? t->overrides : config::RawConfigs{};
  for (const ConfigChange& c : changes) {
    switch (c.op) {
      case ConfigChange::Op::set:
        overrides[c.name] = c.value;
        break;
      case ConfigChange::Op::remove:
        overrides.erase(c.name);
        break;
      case ConfigChange::Op::append:
      case ConfigChange::Op::subtract:
        if (!apply_list_op(overrides, c)) {
          co_return refuse(cluster::Errc::invalid_config,
                           std::string("Can't ") + (c.op == ConfigChange::Op::append ? "APPEND" : "SUBTRACT") +
                               " to key " + c.name + " because its type is not LIST.");
        }
        break;
    }
  }
  if (config::Validation valid = config::validate_topic_overrides(broker_.config(), overrides); !valid) {
    co_return refuse(cluster::Errc::invalid_config, valid.error().message);
  }
  if (t == nullptr) co_return refuse(cluster::Errc::unknown_topic, "The topic '" + topic + "' does not exist.");
  TopicChange ok;
  ok.topic_id = t->id;
  if (validate_only) co_return ok;
  auto next = std::make_shared<cluster::MetadataImage>(*image_);
  auto copy = std::make_shared<cluster::TopicInfo>(*t);
  copy->overrides = std::move(overrides);
  auto effective = config::topic_config_for(broker_.config(), copy->overrides);
  if (effective.has_value()) copy->effective = effective.value();
  next->topics[topic] = std::move(copy);
  if (Result<void, cluster::Errc> committed = co_await commit(next); !committed) {
    co_return not_persisted(committed.error());
  }
  co_return ok;
}

io::Task<Result<ProducerId, cluster::Errc>> Controller::allocate_producer_id() {
  if (quorum_ != nullptr) co_return co_await quorum_allocate_producer_id();
  if (next_producer_id_ >= producer_id_block_end_) {
    auto guard = co_await mutex_.lock();
    if (next_producer_id_ >= producer_id_block_end_) {
      int64_t new_end = producer_id_block_end_ + kProducerIdBlock;
      if (Result<void, cluster::Errc> saved = co_await broker_.store().save(broker_.shard(0).ring(), *image_, new_end);
          !saved) {
        co_return Unexpected(cluster::Errc::no_producer_id_block);
      }
      producer_id_block_end_ = new_end;
    }
  }
  co_return ProducerId(next_producer_id_++);
}

io::Task<void> Controller::install(cluster::ImagePtr next) {
  auto versioned = std::make_shared<cluster::MetadataImage>(*next);
  versioned->version = image_->version + 1;
  image_ = versioned;
  co_await install_everywhere(false);
}

io::Task<void> Controller::install_everywhere(bool wait) {
  io::Ring& home = broker_.shard(0).ring();
  for (int i = 0; i < broker_.shard_count(); ++i) {
    Shard& s = broker_.shard(i);
    cluster::ImagePtr img = image_;
    co_await on(home, s.ring(), [&s, &img, wait]() -> io::Task<bool> {
      if (wait) {
        co_await s.install_image(img);
      } else {
        s.adopt_image(img);
      }
      co_return true;
    });
  }
}

io::Task<Result<void, cluster::Errc>> Controller::commit(std::shared_ptr<cluster::MetadataImage> next) {
  next->version = image_->version + 1;
  if (Result<void, cluster::Errc> saved = co_await broker_.store().save(broker_.shard(0).ring(), *next,
                                                                        producer_id_block_end_);
      !saved) {
    co_return saved;
  }
  image_ = next;
  co_await install_everywhere(true);
  co_return Result<void, cluster::Errc>{};
}

}  // namespace runnel::server
