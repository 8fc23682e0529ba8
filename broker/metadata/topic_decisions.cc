#include "broker/metadata/topic_decisions.h"

#include <algorithm>
#include <set>

#include "broker/cluster/topic_name.h"
#include "broker/metadata/layered_config.h"
#include "broker/metadata/leader_election.h"
#include "broker/metadata/replica_placer.h"

namespace runnel::metadata {

namespace {

std::string str(NodeId id) { return std::to_string(id.value()); }

// Kafka's validateManualPartitionAssignment: registered brokers, each once, as many as the
// topic's other partitions have.
Answer<void> check_assignment(const Image& image, const std::vector<NodeId>& replicas,
                              std::optional<size_t> replication_factor) {
  if (replicas.empty()) {
    return refuse(ErrorCode::invalid_replica_assignment,
                  "The manual partition assignment includes an empty replica list.");
  }
  std::set<NodeId> seen;
  for (NodeId id : replicas) {
    if (image.broker(id) == nullptr) {
      return refuse(ErrorCode::invalid_replica_assignment, "The manual partition assignment includes broker " +
                                                               str(id) + ", but no such broker is registered.");
    }
    if (!seen.insert(id).second) {
      return refuse(ErrorCode::invalid_replica_assignment,
                    "The manual partition assignment includes the broker " + str(id) + " more than once.");
    }
  }
  if (replication_factor && replicas.size() != *replication_factor) {
    return refuse(ErrorCode::invalid_replica_assignment,
                  "The manual partition assignment includes a partition with " + std::to_string(replicas.size()) +
                      " replica(s), but this is not consistent with previous partitions, which have " +
                      std::to_string(*replication_factor) + " replica(s).");
  }
  return {};
}

// A new partition: the ISR is the replicas that can lead now, the leader the first of them.
Answer<PartitionRecord> new_partition(const Image& image, const Uuid& topic_id, int32_t index,
                                      const std::vector<NodeId>& replicas) {
  PartitionRecord r{PartitionId(index), topic_id, replicas};
  for (NodeId id : replicas) {
    if (eligible_leader(image, id)) r.isr.push_back(id);
  }
  if (r.isr.empty()) {
    return refuse(ErrorCode::invalid_replication_factor,
                  "All brokers specified in the partition assignment for partition " + std::to_string(index) +
                      " are fenced or in controlled shutdown.");
  }
  r.leader = r.isr.front();
  return r;
}

Uuid fresh_id(const Image& image, const std::set<Uuid>& pending, const TopicIdSource& new_id) {
  for (;;) {
    Uuid id = new_id();
    if (!id.is_zero() && image.topic(id) == nullptr && !pending.contains(id)) return id;
  }
}

// The checks of Kafka's ReplicationControlManager.createTopic, in its order: name, existence
// and collisions, configs, then counts or the manual assignment. Fills in defaults.
Answer<TopicOutcome> check_new_topic(const Image& image, const config::BrokerConfig& config, NewTopic& t,
                                     const std::set<std::string>& pending_names) {
  if (auto valid = cluster::validate_topic_name(t.name); !valid) {
    return refuse(ErrorCode::invalid_topic_exception, valid.error());
  }
  if (image.topic(t.name) != nullptr || pending_names.contains(t.name)) {
    return refuse(ErrorCode::topic_already_exists, "Topic '" + t.name + "' already exists.");
  }
  // '.' and '_' collide in metric names, so Kafka refuses a name that differs only in those.
  std::string key = cluster::collision_key(t.name);
  std::vector<std::string_view> others(pending_names.begin(), pending_names.end());
  for (const auto& [other, id] : image.topic_names()) others.push_back(other);
  for (std::string_view other : others) {
    if (cluster::collision_key(other) == key) {
      return refuse(ErrorCode::invalid_topic_exception,
                    "Topic '" + t.name + "' collides with existing topic: " + std::string(other));
    }
  }
  config::RawConfigs overrides(t.configs.begin(), t.configs.end());
  if (auto valid = config::validate_topic_overrides(with_cluster_defaults(image, config), overrides); !valid) {
    return refuse(ErrorCode::invalid_config, valid.error().message);
  }
  if (!t.assignment.empty()) {
    if (t.replication_factor != -1) {
      return refuse(ErrorCode::invalid_request,
                    "A manual partition assignment was specified, but replication factor was not set to -1.");
    }
    if (t.partitions != -1) {
      return refuse(ErrorCode::invalid_request,
                    "A manual partition assignment was specified, but numPartitions was not set to -1.");
    }
    std::optional<size_t> rf;
    for (const auto& replicas : t.assignment) {
      if (auto bad = check_assignment(image, replicas, rf); !bad) return Unexpected(std::move(bad).error());
      rf = replicas.size();
    }
    return TopicOutcome{Uuid{}, static_cast<int32_t>(t.assignment.size()), static_cast<int16_t>(*rf)};
  }
  if (t.replication_factor < -1 || t.replication_factor == 0) {
    return refuse(ErrorCode::invalid_replication_factor,
                  "Replication factor must be larger than 0, or -1 to use the default value.");
  }
  if (t.partitions < -1 || t.partitions == 0) {
    return refuse(ErrorCode::invalid_partitions, "Number of partitions was set to an invalid non-positive value.");
  }
  int32_t partitions = t.partitions == -1 ? config.num_partitions : t.partitions;
  auto rf = static_cast<int16_t>(t.replication_factor == -1 ? config.default_replication_factor : t.replication_factor);
  return TopicOutcome{Uuid{}, partitions, rf};
}

// The replica lists of a topic's new partitions: the manual assignment, or placed.
Answer<std::vector<std::vector<NodeId>>> replicas_of(ReplicaPlacer& placer, const NewTopic& t,
                                                      const TopicOutcome& shape) {
  if (!t.assignment.empty()) return t.assignment;
  return placer.place(shape.partitions, shape.replication_factor);
}

}  // namespace

TopicDecisions create_topics(const Image& image, const config::BrokerConfig& config, std::span<const NewTopic> topics,
                             const TopicIdSource& new_id, bool validate_only) {
  TopicDecisions out;
  ReplicaPlacer placer(image);
  std::set<std::string> pending_names;
  std::set<Uuid> pending_ids;
  for (NewTopic t : topics) {
    Answer<TopicOutcome> shape = check_new_topic(image, config, t, pending_names);
    if (!shape) {
      out.answers.push_back(std::move(shape));
      continue;
    }
    auto replicas = replicas_of(placer, t, *shape);
    if (!replicas) {
      out.answers.push_back(Unexpected(std::move(replicas).error()));
      continue;
    }
    std::vector<Record> records;
    Uuid id = validate_only ? Uuid{} : fresh_id(image, pending_ids, new_id);
    records.emplace_back(TopicRecord{t.name, id});
    for (const auto& [name, value] : t.configs) {
      records.emplace_back(ConfigRecord{ConfigResourceType::topic, t.name, name, value});
    }
    std::optional<Refusal> refused;
    for (size_t p = 0; p < replicas->size() && !refused; ++p) {
      auto partition = new_partition(image, id, static_cast<int32_t>(p), (*replicas)[p]);
      if (partition) {
        records.emplace_back(std::move(partition).value());
      } else {
        refused = std::move(partition).error();
      }
    }
    if (refused) {
      out.answers.push_back(Unexpected(std::move(*refused)));
      continue;
    }
    shape->topic_id = id;
    out.answers.push_back(std::move(shape));
    if (validate_only) continue;
    pending_names.insert(t.name);
    pending_ids.insert(id);
    std::move(records.begin(), records.end(), std::back_inserter(out.records));
  }
  return out;
}

TopicDecisions delete_topics(const Image& image, const config::BrokerConfig& config, std::span<const TopicRef> topics) {
  TopicDecisions out;
  std::set<Uuid> removed;
  for (const TopicRef& ref : topics) {
    const TopicImage* t = ref.name.empty() ? image.topic(ref.id) : image.topic(ref.name);
    if (t == nullptr || removed.contains(t->id)) {
      // Kafka sends these two without a message (the code says it all).
      out.answers.push_back(
          refuse(ref.name.empty() ? ErrorCode::unknown_topic_id : ErrorCode::unknown_topic_or_partition));
      continue;
    }
    if (!config.delete_topic_enable) {
      out.answers.push_back(refuse(ErrorCode::topic_deletion_disabled, "Topic deletion is disabled."));
      continue;
    }
    removed.insert(t->id);
    out.records.emplace_back(RemoveTopicRecord{t->id});
    out.answers.push_back(TopicOutcome{t->id, static_cast<int32_t>(t->partitions.size()), 0});
  }
  return out;
}

TopicDecisions create_partitions(const Image& image, const std::string& topic, int32_t new_total,
                                 const std::optional<std::vector<std::vector<NodeId>>>& assignment,
                                 bool validate_only) {
  TopicDecisions out;
  auto answer = [&out](Answer<TopicOutcome> a) {
    out.answers.push_back(std::move(a));
    return std::move(out);
  };
  const TopicImage* t = image.topic(topic);
  if (t == nullptr) return answer(refuse(ErrorCode::unknown_topic_or_partition));
  auto current = static_cast<int32_t>(t->partitions.size());
  if (new_total == current) {
    return answer(refuse(ErrorCode::invalid_partitions, "Topic already has " + std::to_string(current) + " partition(s)."));
  }
  if (new_total < current) {
    return answer(refuse(ErrorCode::invalid_partitions, "The topic " + topic + " currently has " +
                                                            std::to_string(current) + " partition(s); " +
                                                            std::to_string(new_total) + " would not be an increase."));
  }
  if (assignment && static_cast<int32_t>(assignment->size()) != new_total - current) {
    return answer(refuse(ErrorCode::invalid_replica_assignment,
                         "Attempted to add " + std::to_string(new_total - current) + " additional partition(s), but only " +
                             std::to_string(assignment->size()) + " assignment(s) were specified."));
  }
  RUNNEL_ASSERT(current > 0, "topic %s has no partitions", topic.c_str());
  size_t rf = t->partitions.front().replicas.size();
  std::vector<std::vector<NodeId>> replicas;
  if (assignment) {
    for (const auto& r : *assignment) {
      if (auto bad = check_assignment(image, r, rf); !bad) return answer(Unexpected(std::move(bad).error()));
    }
    replicas = *assignment;
  } else {
    ReplicaPlacer placer(image);
    auto placed = placer.place(new_total - current, static_cast<int16_t>(rf));
    if (!placed) return answer(Unexpected(std::move(placed).error()));
    replicas = std::move(placed).value();
  }
  std::vector<Record> records;
  for (int32_t p = current; p < new_total; ++p) {
    auto partition = new_partition(image, t->id, p, replicas[static_cast<size_t>(p - current)]);
    if (!partition) return answer(Unexpected(std::move(partition).error()));
    records.emplace_back(std::move(partition).value());
  }
  if (!validate_only) out.records = std::move(records);
  return answer(TopicOutcome{t->id, new_total, static_cast<int16_t>(rf)});
}

}  // namespace runnel::metadata
