#pragma once

// The cluster-era metadata image: everything the metadata log says about the cluster, as of one
// log offset. Immutable once built and shared between threads by pointer; a new image comes
// from an ImageBuilder (image_builder.h) that applies committed records to an old one.
//
// Structural sharing: the image is a handful of shared_ptr'd parts (brokers, topics by id, topic
// names, configs, features), and every topic is its own shared_ptr'd TopicImage. Applying a
// batch copies only the parts it touches, and of the topics only those it touches, so a batch
// that changes one partition of one topic copies that topic's partition vector and the topic
// map's pointers, never the other topics' partitions.
//
// Relation to cluster::MetadataImage: that one is what today's handlers read (one broker, one
// endpoint per broker, effective topic configs). This image is the source of truth of the
// cluster era; cluster_image.h converts it, so the handlers can be fed from the metadata log
// without changing. Once every handler reads this image the conversion goes away.

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "broker/metadata/ids.h"
#include "broker/metadata/records.h"
#include "broker/model/named_type.h"
#include "broker/model/uuid.h"

namespace runnel::metadata {

// Kafka's broker registration states as the controller sees them.
enum class BrokerState : uint8_t {
  fenced,         // registered, not (yet or any more) heartbeating in time: holds no leadership
  unfenced,       // alive: can lead and be placed on
  shutting_down,  // in controlled shutdown: keeps serving, but leadership moves away
};

struct BrokerRegistration {
  NodeId id{0};
  Uuid incarnation_id;
  BrokerEpoch epoch{0};
  std::vector<Endpoint> listeners;
  std::optional<std::string> rack;
  bool fenced = true;
  bool in_controlled_shutdown = false;

  BrokerState state() const {
    if (fenced) return BrokerState::fenced;
    return in_controlled_shutdown ? BrokerState::shutting_down : BrokerState::unfenced;
  }
  bool operator==(const BrokerRegistration&) const = default;
};

struct PartitionRegistration {
  std::vector<NodeId> replicas;
  std::vector<NodeId> isr;
  std::vector<NodeId> removing_replicas;
  std::vector<NodeId> adding_replicas;
  NodeId leader = kNoLeader;
  LeaderEpoch leader_epoch{0};
  PartitionEpoch partition_epoch{0};

  bool offline() const { return leader == kNoLeader; }
  bool operator==(const PartitionRegistration&) const = default;
};

struct TopicImage {
  std::string name;
  Uuid id;
  std::vector<PartitionRegistration> partitions;  // index = partition id
  bool operator==(const TopicImage&) const = default;
};

// Configs of one resource: name -> value (only what was set; defaults are not stored).
using ConfigMap = std::map<std::string, std::string, std::less<>>;

// The three levels Kafka keeps: per topic, per broker, and the cluster-wide broker default.
struct ConfigsImage {
  ConfigMap cluster_default;
  std::map<NodeId, ConfigMap> brokers;
  std::map<std::string, ConfigMap, std::less<>> topics;  // by topic name
  bool operator==(const ConfigsImage&) const = default;
};

// Where producer-id allocation stands: ids below `next_producer_id` are handed out, the last
// block to `broker_id` (KRaft's ProducerIdsImage).
struct ProducerIdsImage {
  int64_t next_producer_id = 0;
  NodeId last_broker_id{-1};
  BrokerEpoch last_broker_epoch{-1};
  bool operator==(const ProducerIdsImage&) const = default;
};

using BrokerMap = std::map<NodeId, BrokerRegistration>;
using TopicPtr = std::shared_ptr<const TopicImage>;
using TopicMap = std::map<Uuid, TopicPtr>;
using TopicNameMap = std::map<std::string, Uuid, std::less<>>;
using FeatureMap = std::map<std::string, int16_t, std::less<>>;

class Image {
 public:
  Image();  // the empty cluster, before any record (highest offset -1)

  const BrokerMap& brokers() const { return *brokers_; }
  const TopicMap& topics() const { return *topics_; }
  const TopicNameMap& topic_names() const { return *names_; }
  const ConfigsImage& configs() const { return *configs_; }
  const FeatureMap& features() const { return *features_; }
  const ProducerIdsImage& producer_ids() const { return producer_ids_; }
  // The offset of the last record applied; -1 for the empty image.
  Offset highest_offset() const { return highest_offset_; }

  const BrokerRegistration* broker(NodeId id) const;
  const TopicImage* topic(const Uuid& id) const;
  const TopicImage* topic(std::string_view name) const;
  const PartitionRegistration* partition(const Uuid& topic_id, PartitionId p) const;
  // Topic configs as set on this topic (not including defaults).
  const ConfigMap* topic_configs(std::string_view name) const;

  // Same contents (not the same pointers).
  bool operator==(const Image& other) const;

 private:
  friend class ImageBuilder;

  std::shared_ptr<const BrokerMap> brokers_;
  std::shared_ptr<const TopicMap> topics_;
  std::shared_ptr<const TopicNameMap> names_;
  std::shared_ptr<const ConfigsImage> configs_;
  std::shared_ptr<const FeatureMap> features_;
  ProducerIdsImage producer_ids_;
  Offset highest_offset_{-1};
};

using ImagePtr = std::shared_ptr<const Image>;

}  // namespace runnel::metadata
