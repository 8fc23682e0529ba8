#include "broker/metadata/image.h"

namespace runnel::metadata {

Image::Image()
    : brokers_(std::make_shared<BrokerMap>()), topics_(std::make_shared<TopicMap>()),
      names_(std::make_shared<TopicNameMap>()), configs_(std::make_shared<ConfigsImage>()),
      features_(std::make_shared<FeatureMap>()) {}

const BrokerRegistration* Image::broker(NodeId id) const {
  auto it = brokers_->find(id);
  return it == brokers_->end() ? nullptr : &it->second;
}

const TopicImage* Image::topic(const Uuid& id) const {
  auto it = topics_->find(id);
  return it == topics_->end() ? nullptr : it->second.get();
}

const TopicImage* Image::topic(std::string_view name) const {
  auto it = names_->find(name);
  return it == names_->end() ? nullptr : topic(it->second);
}

const PartitionRegistration* Image::partition(const Uuid& topic_id, PartitionId p) const {
  const TopicImage* t = topic(topic_id);
  if (t == nullptr || p.value() < 0 || static_cast<size_t>(p.value()) >= t->partitions.size()) return nullptr;
  return &t->partitions[static_cast<size_t>(p.value())];
}

const ConfigMap* Image::topic_configs(std::string_view name) const {
  auto it = configs_->topics.find(name);
  return it == configs_->topics.end() ? nullptr : &it->second;
}

bool Image::operator==(const Image& other) const {
  if (highest_offset_ != other.highest_offset_ || !(producer_ids_ == other.producer_ids_) ||
      *brokers_ != *other.brokers_ || *names_ != *other.names_ || !(*configs_ == *other.configs_) ||
      *features_ != *other.features_ || topics_->size() != other.topics_->size()) {
    return false;
  }
  for (auto a = topics_->begin(), b = other.topics_->begin(); a != topics_->end(); ++a, ++b) {
    if (a->first != b->first || !(*a->second == *b->second)) return false;
  }
  return true;
}

}  // namespace runnel::metadata
