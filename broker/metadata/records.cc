#include "broker/metadata/records.h"

namespace runnel::metadata {

namespace {
// The variant's alternatives in the order of their RecordType numbers (1-based).
static_assert(std::variant_size_v<Record> == 11, "a new record type needs a RecordType number and a codec");
}  // namespace

RecordType type_of(const Record& record) { return static_cast<RecordType>(record.index() + 1); }

const char* type_name(RecordType type) {
  switch (type) {
    case RecordType::register_broker: return "RegisterBrokerRecord";
    case RecordType::unregister_broker: return "UnregisterBrokerRecord";
    case RecordType::broker_registration_change: return "BrokerRegistrationChangeRecord";
    case RecordType::topic: return "TopicRecord";
    case RecordType::partition: return "PartitionRecord";
    case RecordType::partition_change: return "PartitionChangeRecord";
    case RecordType::remove_topic: return "RemoveTopicRecord";
    case RecordType::config: return "ConfigRecord";
    case RecordType::producer_ids: return "ProducerIdsRecord";
    case RecordType::feature_level: return "FeatureLevelRecord";
    case RecordType::no_op: return "NoOpRecord";
  }
  return "UnknownRecord";
}

}  // namespace runnel::metadata
