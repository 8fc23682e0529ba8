#pragma once

// Runnel's metadata records: every change to cluster state is one of these, appended to the
// `__cluster_metadata` log and applied by every broker to its metadata image (image_builder.h).
// They are modelled on Kafka's KRaft metadata records (same names, same fields where Runnel has
// the concept) but encoded in Runnel's own compact format, documented in FORMAT.md.
//
// Records are plain values. Their invariants (a leader among the replicas, an ISR within the
// replicas, ...) are checked where they are applied, because a record may come off the disk or
// the network: a breach there is an ApplyError, never a crash.

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "broker/metadata/ids.h"
#include "broker/model/named_type.h"
#include "broker/model/uuid.h"

namespace runnel::metadata {

// The frame's type number. Numbers are the contract with every log and snapshot ever written:
// never renumber, never reuse. 12..20 are reserved for ACLs (AccessControlEntryRecord,
// RemoveAccessControlEntryRecord) and SCRAM (UserScramCredentialRecord, Remove...).
enum class RecordType : uint16_t {
  register_broker = 1,
  unregister_broker = 2,
  broker_registration_change = 3,
  topic = 4,
  partition = 5,
  partition_change = 6,
  remove_topic = 7,
  config = 8,
  producer_ids = 9,
  feature_level = 10,
  no_op = 11,
};

// One listener of a broker, as in Kafka's BrokerEndpoint.
struct Endpoint {
  std::string name;  // listener name, e.g. "PLAINTEXT"
  std::string host;
  uint16_t port = 0;
  int16_t security_protocol = 0;  // Kafka's SecurityProtocol id (0 = PLAINTEXT)
  bool operator==(const Endpoint&) const = default;
};

struct RegisterBrokerRecord {
  NodeId broker_id{0};
  Uuid incarnation_id;  // new on every process start
  BrokerEpoch broker_epoch{0};
  std::vector<Endpoint> listeners;
  std::optional<std::string> rack;
  bool fenced = true;  // a new registration is fenced until its first heartbeat catches up
  bool in_controlled_shutdown = false;
  bool operator==(const RegisterBrokerRecord&) const = default;
};

struct UnregisterBrokerRecord {
  NodeId broker_id{0};
  BrokerEpoch broker_epoch{0};
  bool operator==(const UnregisterBrokerRecord&) const = default;
};

// Kafka's BrokerRegistrationFencingChange values.
enum class FencingChange : int8_t { unfence = -1, none = 0, fence = 1 };

struct BrokerRegistrationChangeRecord {
  NodeId broker_id{0};
  BrokerEpoch broker_epoch{0};
  FencingChange fenced = FencingChange::none;
  bool in_controlled_shutdown = false;  // true: the broker began a controlled shutdown
  bool operator==(const BrokerRegistrationChangeRecord&) const = default;
};

struct TopicRecord {
  std::string name;
  Uuid topic_id;
  bool operator==(const TopicRecord&) const = default;
};

// A partition's whole registration (creation, and in snapshots).
struct PartitionRecord {
  PartitionId partition_id{0};
  Uuid topic_id;
  std::vector<NodeId> replicas;
  std::vector<NodeId> isr;
  std::vector<NodeId> removing_replicas;  // reassignment (later)
  std::vector<NodeId> adding_replicas;    // reassignment (later)
  NodeId leader = kNoLeader;
  LeaderEpoch leader_epoch{0};
  PartitionEpoch partition_epoch{0};
  bool operator==(const PartitionRecord&) const = default;
};

// A partial change: absent fields stay as they are. Applying it bumps the partition epoch, and
// the leader epoch when `leader` is present (Kafka's PartitionRegistration.merge).
struct PartitionChangeRecord {
  PartitionId partition_id{0};
  Uuid topic_id;
  std::optional<std::vector<NodeId>> isr;
  std::optional<NodeId> leader;  // present: a new leader (or kNoLeader), even the same node
  std::optional<std::vector<NodeId>> replicas;
  std::optional<std::vector<NodeId>> removing_replicas;
  std::optional<std::vector<NodeId>> adding_replicas;
  bool operator==(const PartitionChangeRecord&) const = default;
};

struct RemoveTopicRecord {
  Uuid topic_id;
  bool operator==(const RemoveTopicRecord&) const = default;
};

// Kafka's ConfigResource.Type numbers. A broker resource with an empty name is the
// cluster-wide default for every broker (Kafka's "default broker" resource).
enum class ConfigResourceType : int8_t { topic = 2, broker = 4 };

struct ConfigRecord {
  ConfigResourceType resource_type = ConfigResourceType::topic;
  std::string resource_name;  // topic name, broker id in decimal, or "" for the cluster default
  std::string name;
  std::optional<std::string> value;  // absent: the config is deleted (back to its default)
  bool operator==(const ConfigRecord&) const = default;
};

// The controller handed broker `broker_id` the ids below `next_producer_id` (a block ends there).
struct ProducerIdsRecord {
  NodeId broker_id{0};
  BrokerEpoch broker_epoch{0};
  int64_t next_producer_id = 0;
  bool operator==(const ProducerIdsRecord&) const = default;
};

// A finalized feature level (e.g. "metadata.version"); level 0 removes the feature.
struct FeatureLevelRecord {
  std::string name;
  int16_t feature_level = 0;
  bool operator==(const FeatureLevelRecord&) const = default;
};

// Kafka's NoOpRecord: the active controller appends one when nothing else was appended for
// metadata.max.idle.interval.ms, so the committed offset keeps moving and every broker can tell
// how fresh its metadata is. It changes nothing.
struct NoOpRecord {
  bool operator==(const NoOpRecord&) const = default;
};

using Record = std::variant<RegisterBrokerRecord, UnregisterBrokerRecord, BrokerRegistrationChangeRecord, TopicRecord,
                            PartitionRecord, PartitionChangeRecord, RemoveTopicRecord, ConfigRecord, ProducerIdsRecord,
                            FeatureLevelRecord, NoOpRecord>;

RecordType type_of(const Record& record);
// Kafka's name of the record type, e.g. "PartitionChangeRecord", for logs and errors.
const char* type_name(RecordType type);

}  // namespace runnel::metadata
