#include "broker/metadata/image_builder.h"

#include <algorithm>
#include <charconv>

namespace runnel::metadata {

namespace {

Unexpected<ApplyError> refuse(ApplyErrc code, RecordType type, std::string detail) {
  return Unexpected(ApplyError{code, type, std::move(detail)});
}

std::string id_text(const Uuid& id) { return id.to_base64(); }

bool has_duplicates(std::vector<NodeId> ids) {
  std::sort(ids.begin(), ids.end());
  return std::adjacent_find(ids.begin(), ids.end()) != ids.end();
}

bool contains(const std::vector<NodeId>& ids, NodeId id) { return std::find(ids.begin(), ids.end(), id) != ids.end(); }

PartitionRegistration registration_of(const PartitionRecord& r) {
  return PartitionRegistration{r.replicas,      r.isr,    r.removing_replicas, r.adding_replicas,
                               r.leader,        r.leader_epoch, r.partition_epoch};
}

// Kafka's PartitionRegistration.merge: absent fields stay; the partition epoch always moves,
// the leader epoch when a leader is named (even the same one: a leader re-elected is new).
PartitionRegistration merge(PartitionRegistration p, const PartitionChangeRecord& r) {
  if (r.replicas) p.replicas = *r.replicas;
  if (r.isr) p.isr = *r.isr;
  if (r.removing_replicas) p.removing_replicas = *r.removing_replicas;
  if (r.adding_replicas) p.adding_replicas = *r.adding_replicas;
  if (r.leader) {
    p.leader = *r.leader;
    p.leader_epoch = LeaderEpoch(p.leader_epoch.value() + 1);
  }
  p.partition_epoch = PartitionEpoch(p.partition_epoch.value() + 1);
  return p;
}

}  // namespace

const char* name(ApplyErrc code) {
  switch (code) {
    case ApplyErrc::unknown_broker: return "unknown_broker";
    case ApplyErrc::stale_broker_epoch: return "stale_broker_epoch";
    case ApplyErrc::duplicate_topic: return "duplicate_topic";
    case ApplyErrc::unknown_topic: return "unknown_topic";
    case ApplyErrc::unknown_partition: return "unknown_partition";
    case ApplyErrc::invalid_partition: return "invalid_partition";
    case ApplyErrc::invalid_config_resource: return "invalid_config_resource";
    case ApplyErrc::producer_ids_not_increasing: return "producer_ids_not_increasing";
    case ApplyErrc::offset_not_increasing: return "offset_not_increasing";
  }
  return "unknown";
}

std::string check_partition(const PartitionRegistration& p) {
  if (p.replicas.empty()) return "no replicas";
  if (has_duplicates(p.replicas)) return "a replica listed twice";
  if (has_duplicates(p.isr)) return "an ISR member listed twice";
  for (NodeId id : p.isr) {
    if (!contains(p.replicas, id)) return "ISR member " + std::to_string(id.value()) + " is not a replica";
  }
  if (p.leader != kNoLeader && !contains(p.isr, p.leader)) {
    return "leader " + std::to_string(p.leader.value()) + " is not in the ISR";
  }
  return {};
}

ImageBuilder::ImageBuilder(const Image& base) : image_(base) {}

BrokerMap& ImageBuilder::brokers() {
  if (!brokers_) image_.brokers_ = brokers_ = std::make_shared<BrokerMap>(*image_.brokers_);
  return *brokers_;
}
TopicMap& ImageBuilder::topics() {
  if (!topics_) image_.topics_ = topics_ = std::make_shared<TopicMap>(*image_.topics_);
  return *topics_;
}
TopicNameMap& ImageBuilder::names() {
  if (!names_) image_.names_ = names_ = std::make_shared<TopicNameMap>(*image_.names_);
  return *names_;
}
ConfigsImage& ImageBuilder::configs() {
  if (!configs_) image_.configs_ = configs_ = std::make_shared<ConfigsImage>(*image_.configs_);
  return *configs_;
}
FeatureMap& ImageBuilder::features() {
  if (!features_) image_.features_ = features_ = std::make_shared<FeatureMap>(*image_.features_);
  return *features_;
}
TopicImage& ImageBuilder::topic(const Uuid& id) {
  auto owned = owned_topics_.find(id);
  if (owned != owned_topics_.end()) return *owned->second;
  auto it = topics().find(id);
  RUNNEL_ASSERT(it != topics().end(), "topic %s is not in the image", id_text(id).c_str());
  auto copy = std::make_shared<TopicImage>(*it->second);
  it->second = copy;
  owned_topics_.emplace(id, copy);
  return *copy;
}

Image ImageBuilder::build() {
  brokers_.reset();
  topics_.reset();
  names_.reset();
  configs_.reset();
  features_.reset();
  owned_topics_.clear();
  return image_;
}

void ImageBuilder::set_highest_offset(Offset offset) { image_.highest_offset_ = offset; }

Result<void, ApplyError> ImageBuilder::apply(const Record& record, Offset offset) {
  if (offset <= image_.highest_offset_) {
    return refuse(ApplyErrc::offset_not_increasing, type_of(record),
                  "offset " + std::to_string(offset.value()) + " after " +
                      std::to_string(image_.highest_offset_.value()));
  }
  if (auto applied = apply(record); !applied) return applied;
  image_.highest_offset_ = offset;
  return {};
}

Result<void, ApplyError> ImageBuilder::apply(const Record& record) {
  return std::visit([this](const auto& r) { return apply_one(r); }, record);
}

Result<void, ApplyError> ImageBuilder::apply_one(const RegisterBrokerRecord& r) {
  // A re-registration (a restart) replaces the old one; its epoch is the new record's offset.
  brokers()[r.broker_id] = BrokerRegistration{r.broker_id, r.incarnation_id,  r.broker_epoch,
                                              r.listeners, r.rack,            r.fenced,
                                              r.in_controlled_shutdown};
  return {};
}

namespace {
// The registration a broker change names, or why it names none.
Result<const BrokerRegistration*, ApplyError> registered(const Image& image, NodeId id, BrokerEpoch epoch,
                                                          RecordType type) {
  const BrokerRegistration* b = image.broker(id);
  if (b == nullptr) return refuse(ApplyErrc::unknown_broker, type, "broker " + std::to_string(id.value()));
  if (b->epoch != epoch) {
    return refuse(ApplyErrc::stale_broker_epoch, type,
                  "broker " + std::to_string(id.value()) + " epoch " + std::to_string(epoch.value()) +
                      ", registered with " + std::to_string(b->epoch.value()));
  }
  return b;
}
}  // namespace

Result<void, ApplyError> ImageBuilder::apply_one(const UnregisterBrokerRecord& r) {
  auto b = registered(image_, r.broker_id, r.broker_epoch, RecordType::unregister_broker);
  if (!b) return Unexpected(std::move(b).error());
  brokers().erase(r.broker_id);
  return {};
}

Result<void, ApplyError> ImageBuilder::apply_one(const BrokerRegistrationChangeRecord& r) {
  auto b = registered(image_, r.broker_id, r.broker_epoch, RecordType::broker_registration_change);
  if (!b) return Unexpected(std::move(b).error());
  BrokerRegistration& reg = brokers()[r.broker_id];
  if (r.fenced != FencingChange::none) reg.fenced = r.fenced == FencingChange::fence;
  // Kafka never takes a broker out of controlled shutdown: it re-registers after the restart.
  if (r.in_controlled_shutdown) reg.in_controlled_shutdown = true;
  return {};
}

Result<void, ApplyError> ImageBuilder::apply_one(const TopicRecord& r) {
  if (image_.topic(r.name) != nullptr || image_.topic(r.topic_id) != nullptr || r.topic_id.is_zero()) {
    return refuse(ApplyErrc::duplicate_topic, RecordType::topic, r.name + " " + id_text(r.topic_id));
  }
  auto t = std::make_shared<TopicImage>(TopicImage{r.name, r.topic_id, {}});
  topics().emplace(r.topic_id, t);
  owned_topics_.emplace(r.topic_id, t);
  names().emplace(r.name, r.topic_id);
  return {};
}

Result<void, ApplyError> ImageBuilder::apply_one(const PartitionRecord& r) {
  const TopicImage* t = image_.topic(r.topic_id);
  if (t == nullptr) return refuse(ApplyErrc::unknown_topic, RecordType::partition, id_text(r.topic_id));
  // Partitions are numbered densely: a record either replaces one or adds the next.
  if (r.partition_id.value() < 0 || static_cast<size_t>(r.partition_id.value()) > t->partitions.size()) {
    return refuse(ApplyErrc::unknown_partition, RecordType::partition,
                  t->name + "-" + std::to_string(r.partition_id.value()) + " of " +
                      std::to_string(t->partitions.size()));
  }
  PartitionRegistration p = registration_of(r);
  if (std::string why = check_partition(p); !why.empty()) {
    return refuse(ApplyErrc::invalid_partition, RecordType::partition,
                  t->name + "-" + std::to_string(r.partition_id.value()) + ": " + why);
  }
  TopicImage& mt = topic(r.topic_id);
  auto index = static_cast<size_t>(r.partition_id.value());
  if (index == mt.partitions.size()) {
    mt.partitions.push_back(std::move(p));
  } else {
    mt.partitions[index] = std::move(p);
  }
  return {};
}

Result<void, ApplyError> ImageBuilder::apply_one(const PartitionChangeRecord& r) {
  const PartitionRegistration* old = image_.partition(r.topic_id, r.partition_id);
  if (old == nullptr) {
    return refuse(ApplyErrc::unknown_partition, RecordType::partition_change,
                  id_text(r.topic_id) + "-" + std::to_string(r.partition_id.value()));
  }
  PartitionRegistration p = merge(*old, r);
  if (std::string why = check_partition(p); !why.empty()) {
    return refuse(ApplyErrc::invalid_partition, RecordType::partition_change,
                  id_text(r.topic_id) + "-" + std::to_string(r.partition_id.value()) + ": " + why);
  }
  topic(r.topic_id).partitions[static_cast<size_t>(r.partition_id.value())] = std::move(p);
  return {};
}

Result<void, ApplyError> ImageBuilder::apply_one(const RemoveTopicRecord& r) {
  const TopicImage* t = image_.topic(r.topic_id);
  if (t == nullptr) return refuse(ApplyErrc::unknown_topic, RecordType::remove_topic, id_text(r.topic_id));
  std::string name = t->name;
  // Its configs go with it, as in Kafka, so a topic created again under the name starts clean.
  if (image_.topic_configs(name) != nullptr) configs().topics.erase(name);
  names().erase(name);
  topics().erase(r.topic_id);
  owned_topics_.erase(r.topic_id);
  return {};
}

Result<void, ApplyError> ImageBuilder::apply_one(const ConfigRecord& r) {
  ConfigMap* target = nullptr;
  if (r.resource_type == ConfigResourceType::topic) {
    if (image_.topic(r.resource_name) == nullptr) {
      return refuse(ApplyErrc::unknown_topic, RecordType::config, r.resource_name);
    }
    if (!r.value && image_.topic_configs(r.resource_name) == nullptr) return {};
    target = &configs().topics[r.resource_name];
  } else if (r.resource_name.empty()) {
    target = &configs().cluster_default;
  } else {
    int32_t id = -1;
    const char* end = r.resource_name.data() + r.resource_name.size();
    auto [ptr, ec] = std::from_chars(r.resource_name.data(), end, id);
    if (ec != std::errc{} || ptr != end || id < 0) {
      return refuse(ApplyErrc::invalid_config_resource, RecordType::config, "broker '" + r.resource_name + "'");
    }
    if (!r.value && !image_.configs().brokers.contains(NodeId(id))) return {};
    target = &configs().brokers[NodeId(id)];
  }
  if (r.value) {
    (*target)[r.name] = *r.value;
  } else {
    target->erase(r.name);
  }
  // An empty resource is no resource, so images with the same configs compare equal.
  if (target->empty()) {
    if (r.resource_type == ConfigResourceType::topic) configs().topics.erase(r.resource_name);
    if (r.resource_type == ConfigResourceType::broker && !r.resource_name.empty()) {
      std::erase_if(configs().brokers, [](const auto& kv) { return kv.second.empty(); });
    }
  }
  return {};
}

Result<void, ApplyError> ImageBuilder::apply_one(const ProducerIdsRecord& r) {
  if (r.next_producer_id <= image_.producer_ids_.next_producer_id) {
    return refuse(ApplyErrc::producer_ids_not_increasing, RecordType::producer_ids,
                  std::to_string(r.next_producer_id) + " after " +
                      std::to_string(image_.producer_ids_.next_producer_id));
  }
  image_.producer_ids_ = ProducerIdsImage{r.next_producer_id, r.broker_id, r.broker_epoch};
  return {};
}

Result<void, ApplyError> ImageBuilder::apply_one(const FeatureLevelRecord& r) {
  if (r.feature_level == 0) {
    if (image_.features().contains(r.name)) features().erase(r.name);
  } else {
    features()[r.name] = r.feature_level;
  }
  return {};
}

Result<Image, ApplyError> apply(const Image& image, const Record& record, Offset offset) {
  ImageBuilder builder(image);
  if (auto applied = builder.apply(record, offset); !applied) return Unexpected(std::move(applied).error());
  return builder.build();
}

Result<Image, ApplyError> apply_all(const Image& image, std::span<const Record> records, Offset last_offset) {
  ImageBuilder builder(image);
  for (const Record& r : records) {
    if (auto applied = builder.apply(r); !applied) return Unexpected(std::move(applied).error());
  }
  if (last_offset <= image.highest_offset()) {
    return Unexpected(ApplyError{ApplyErrc::offset_not_increasing, RecordType::topic,
                                 "offset " + std::to_string(last_offset.value()) + " after " +
                                     std::to_string(image.highest_offset().value())});
  }
  builder.set_highest_offset(last_offset);
  return builder.build();
}

}  // namespace runnel::metadata
