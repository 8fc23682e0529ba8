#pragma once

// Records for the metadata tests: one of every type, and random sequences that apply.

#include <random>
#include <string>
#include <vector>

#include "broker/metadata/image.h"
#include "broker/metadata/image_builder.h"
#include "broker/metadata/records.h"

namespace runnel::metadata::test {

inline Uuid uuid_of(uint64_t n) {
  Uuid u;
  for (int i = 0; i < 8; ++i) u.bytes[static_cast<size_t>(15 - i)] = static_cast<uint8_t>(n >> (8 * i));
  u.bytes[0] = 0x42;  // never the zero uuid
  return u;
}

inline std::vector<NodeId> nodes(std::initializer_list<int32_t> ids) { return wrap_all<NodeId>(std::vector<int32_t>(ids)); }

inline RegisterBrokerRecord broker(int32_t id, std::optional<std::string> rack = std::nullopt, bool fenced = false) {
  return RegisterBrokerRecord{NodeId(id), uuid_of(1000 + static_cast<uint64_t>(id)), BrokerEpoch(100 + id),
                              {Endpoint{"PLAINTEXT", "broker-" + std::to_string(id), 9092, 0}},
                              std::move(rack), fenced, false};
}

// One record of every type, each with its optional parts set, in an order that applies.
inline std::vector<Record> one_of_each() {
  Uuid t = uuid_of(7);
  return {
      FeatureLevelRecord{"metadata.version", 21},
      broker(1, "rack-a"),
      broker(2),
      BrokerRegistrationChangeRecord{NodeId(2), BrokerEpoch(102), FencingChange::fence, true},
      TopicRecord{"orders", t},
      ConfigRecord{ConfigResourceType::topic, "orders", "retention.ms", "60000"},
      ConfigRecord{ConfigResourceType::broker, "", "log.retention.ms", "1000"},
      ConfigRecord{ConfigResourceType::broker, "1", "log.retention.ms", std::nullopt},
      PartitionRecord{PartitionId(0), t, nodes({1, 2}), nodes({1}), nodes({2}), nodes({}), NodeId(1), LeaderEpoch(3),
                      PartitionEpoch(4)},
      PartitionChangeRecord{PartitionId(0), t, nodes({1, 2}), NodeId(2), nodes({2, 1}), nodes({}), nodes({})},
      PartitionChangeRecord{PartitionId(0), t, std::nullopt, std::nullopt, std::nullopt, std::nullopt, std::nullopt},
      ProducerIdsRecord{NodeId(1), BrokerEpoch(101), 1000},
      UnregisterBrokerRecord{NodeId(2), BrokerEpoch(102)},
      RemoveTopicRecord{t},
      NoOpRecord{},
  };
}

// Random records that each apply to the image before them (a model-based generator: it looks
// at the current image to pick valid targets).
class RandomRecords {
 public:
  explicit RandomRecords(uint64_t seed) : rng_(seed) {}

  // The next record that applies to `image`.
  Record next(const Image& image) {
    for (;;) {
      switch (pick(10)) {
        case 0: return register_broker();
        case 1:
          if (!image.brokers().empty()) return change_broker(image);
          break;
        case 2:
          if (image.brokers().size() > 3) return unregister(image);
          break;
        case 3: return TopicRecord{"t" + std::to_string(next_topic_), uuid_of(next_topic_++)};
        case 4:
        case 5:
          if (!image.topics().empty()) return partition(image);
          break;
        case 6:
          if (auto change = partition_change(image)) return *change;
          break;
        case 7:
          if (image.topics().size() > 4) return RemoveTopicRecord{any_topic(image).id};
          break;
        case 8: return config(image);
        case 9:
          if (pick(2) == 0) return ProducerIdsRecord{NodeId(pick(6)), BrokerEpoch(pick(50)), next_pid_ += 1000};
          return FeatureLevelRecord{"f" + std::to_string(pick(3)), static_cast<int16_t>(pick(3))};
      }
    }
  }

 private:
  int32_t pick(int32_t n) { return static_cast<int32_t>(rng_() % static_cast<uint64_t>(n)); }

  std::vector<NodeId> some_brokers(int32_t max) {
    std::vector<NodeId> out;
    for (int32_t id = 0; id < 6 && static_cast<int32_t>(out.size()) < max; ++id) {
      if (pick(2) == 0) out.emplace_back(id);
    }
    if (out.empty()) out.emplace_back(pick(6));
    std::shuffle(out.begin(), out.end(), rng_);
    return out;
  }

  Record register_broker() {
    RegisterBrokerRecord r = broker(pick(6), pick(2) == 0 ? std::optional<std::string>("r" + std::to_string(pick(3)))
                                                          : std::nullopt,
                                    pick(2) == 0);
    r.broker_epoch = BrokerEpoch(pick(1000));
    return r;
  }

  Record change_broker(const Image& image) {
    auto it = std::next(image.brokers().begin(), pick(static_cast<int32_t>(image.brokers().size())));
    return BrokerRegistrationChangeRecord{it->first, it->second.epoch, static_cast<FencingChange>(pick(3) - 1),
                                          pick(4) == 0};
  }

  Record unregister(const Image& image) {
    auto it = std::next(image.brokers().begin(), pick(static_cast<int32_t>(image.brokers().size())));
    return UnregisterBrokerRecord{it->first, it->second.epoch};
  }

  const TopicImage& any_topic(const Image& image) {
    auto it = std::next(image.topics().begin(), pick(static_cast<int32_t>(image.topics().size())));
    return *it->second;
  }

  // A registration that keeps the partition invariants.
  void fill(std::vector<NodeId>& replicas, std::vector<NodeId>& isr, NodeId& leader) {
    replicas = some_brokers(3);
    isr.clear();
    for (NodeId r : replicas) {
      if (pick(3) != 0) isr.push_back(r);
    }
    leader = isr.empty() || pick(5) == 0 ? NodeId(-1) : isr[static_cast<size_t>(pick(static_cast<int32_t>(isr.size())))];
  }

  Record partition(const Image& image) {
    const TopicImage& t = any_topic(image);
    PartitionRecord r;
    r.topic_id = t.id;
    r.partition_id = PartitionId(pick(static_cast<int32_t>(t.partitions.size()) + 1));
    fill(r.replicas, r.isr, r.leader);
    if (pick(4) == 0) r.adding_replicas = {r.replicas.front()};
    r.leader_epoch = LeaderEpoch(pick(100));
    r.partition_epoch = PartitionEpoch(pick(100));
    return r;
  }

  std::optional<Record> partition_change(const Image& image) {
    if (image.topics().empty()) return std::nullopt;
    const TopicImage& t = any_topic(image);
    if (t.partitions.empty()) return std::nullopt;
    PartitionChangeRecord r;
    r.topic_id = t.id;
    r.partition_id = PartitionId(pick(static_cast<int32_t>(t.partitions.size())));
    std::vector<NodeId> replicas, isr;
    NodeId leader;
    fill(replicas, isr, leader);
    // All of them, or only a leader change within the ISR the partition has.
    if (pick(2) == 0) {
      r.replicas = replicas;
      r.isr = isr;
      r.leader = leader;
      if (pick(3) == 0) r.removing_replicas = std::vector<NodeId>{};
    } else {
      const PartitionRegistration& p = t.partitions[static_cast<size_t>(r.partition_id.value())];
      r.leader = p.isr.empty() ? NodeId(-1) : p.isr[static_cast<size_t>(pick(static_cast<int32_t>(p.isr.size())))];
    }
    return r;
  }

  Record config(const Image& image) {
    ConfigRecord r;
    r.name = "c" + std::to_string(pick(4));
    r.value = pick(3) == 0 ? std::nullopt : std::optional<std::string>(std::to_string(pick(1000)));
    switch (pick(3)) {
      case 0:
        if (!image.topics().empty()) {
          r.resource_type = ConfigResourceType::topic;
          r.resource_name = any_topic(image).name;
          return r;
        }
        [[fallthrough]];
      case 1:
        r.resource_type = ConfigResourceType::broker;
        r.resource_name = std::to_string(pick(6));
        return r;
      default:
        r.resource_type = ConfigResourceType::broker;
        return r;
    }
  }

  std::mt19937_64 rng_;
  uint64_t next_topic_ = 1;
  int64_t next_pid_ = 0;
};

}  // namespace runnel::metadata::test
