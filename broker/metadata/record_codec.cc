#include "broker/metadata/record_codec.h"

#include <type_traits>

#include "broker/protocol/reader.h"
#include "broker/protocol/writer.h"

namespace runnel::metadata {

namespace {

// type_of() numbers the variant's alternatives from 1; pin the order to the enum.
template <RecordType T, typename R>
constexpr bool numbered = std::is_same_v<std::variant_alternative_t<static_cast<size_t>(T) - 1, Record>, R>;
static_assert(numbered<RecordType::register_broker, RegisterBrokerRecord>);
static_assert(numbered<RecordType::partition, PartitionRecord>);
static_assert(numbered<RecordType::partition_change, PartitionChangeRecord>);
static_assert(numbered<RecordType::feature_level, FeatureLevelRecord>);
static_assert(numbered<RecordType::no_op, NoOpRecord>);

constexpr uint16_t kMaxType = static_cast<uint16_t>(RecordType::no_op);

// Field encodings (FORMAT.md): ints and ids as zigzag varints, strings and arrays with an
// unsigned-varint length + 1 (0 = null), uuids as 16 raw bytes, flags as one byte 0/1.
class FieldWriter {
 public:
  explicit FieldWriter(std::vector<uint8_t>& out) : w_(out) {}
  void i32(int32_t v) { w_.write_varint(v); }
  void i64(int64_t v) { w_.write_varlong(v); }
  void i16(int16_t v) { w_.write_varint(v); }
  void u16(uint16_t v) { w_.write_uint16(v); }
  void u8(uint8_t v) { w_.write_int8(static_cast<int8_t>(v)); }
  void flag(bool v) { w_.write_bool(v); }
  void uuid(const Uuid& u) { w_.write_uuid(u); }
  void str(const std::string& s) { w_.write_string(true, s); }
  void opt_str(const std::optional<std::string>& s) { w_.write_nullable_string(true, s); }
  void nodes(const std::vector<NodeId>& ids) {
    w_.write_array_length(true, static_cast<int64_t>(ids.size()));
    for (NodeId id : ids) i32(id.value());
  }

 private:
  protocol::Writer w_;
};

class FieldReader {
 public:
  explicit FieldReader(std::span<const uint8_t> bytes) : r_(bytes.data(), bytes.size()) {}
  bool ok() const { return r_.ok() && !invalid_; }
  bool invalid() const { return invalid_; }
  size_t position() const { return r_.position(); }
  size_t remaining() const { return r_.remaining(); }

  int32_t i32() { return r_.read_varint(); }
  int64_t i64() { return r_.read_varlong(); }
  int16_t i16() {
    int32_t v = r_.read_varint();
    if (v < INT16_MIN || v > INT16_MAX) invalid_ = true;
    return static_cast<int16_t>(v);
  }
  uint16_t u16() { return r_.read_uint16(); }
  uint8_t u8() { return static_cast<uint8_t>(r_.read_int8()); }
  bool flag() {
    uint8_t b = u8();
    if (b > 1) invalid_ = true;
    return b == 1;
  }
  Uuid uuid() { return r_.read_uuid(); }
  std::string str() {
    std::string s;
    r_.read_string(true, s);
    return s;
  }
  std::optional<std::string> opt_str() {
    std::optional<std::string> s;
    r_.read_nullable_string(true, s);
    return s;
  }
  std::vector<NodeId> nodes() {
    int32_t n = 0;
    // read_array_length bounds n by the bytes that remain (a varint takes at least one).
    if (!r_.read_array_length(true, n) || n < 0) {
      if (n < 0) invalid_ = true;
      return {};
    }
    std::vector<NodeId> ids;
    ids.reserve(static_cast<size_t>(n));
    for (int32_t i = 0; i < n && r_.ok(); ++i) ids.emplace_back(i32());
    return ids;
  }
  void mark_invalid() { invalid_ = true; }

 private:
  protocol::Reader r_;
  bool invalid_ = false;
};

// ---- one encode/decode pair per record type, fields in version-0 order ----

void put(FieldWriter& w, const RegisterBrokerRecord& r) {
  w.i32(r.broker_id.value());
  w.uuid(r.incarnation_id);
  w.i64(r.broker_epoch.value());
  w.i32(static_cast<int32_t>(r.listeners.size()));
  for (const Endpoint& e : r.listeners) {
    w.str(e.name);
    w.str(e.host);
    w.u16(e.port);
    w.i16(e.security_protocol);
  }
  w.opt_str(r.rack);
  w.flag(r.fenced);
  w.flag(r.in_controlled_shutdown);
}
RegisterBrokerRecord get(FieldReader& r, std::type_identity<RegisterBrokerRecord>) {
  RegisterBrokerRecord out;
  out.broker_id = NodeId(r.i32());
  out.incarnation_id = r.uuid();
  out.broker_epoch = BrokerEpoch(r.i64());
  int32_t n = r.i32();
  // An endpoint takes at least 5 bytes, so a count above remaining/5 cannot be honest.
  if (n < 0 || static_cast<size_t>(n) > r.remaining() / 5) {
    r.mark_invalid();
    return out;
  }
  for (int32_t i = 0; i < n && r.ok(); ++i) {
    Endpoint e;
    e.name = r.str();
    e.host = r.str();
    e.port = r.u16();
    e.security_protocol = r.i16();
    out.listeners.push_back(std::move(e));
  }
  out.rack = r.opt_str();
  out.fenced = r.flag();
  out.in_controlled_shutdown = r.flag();
  return out;
}

void put(FieldWriter& w, const UnregisterBrokerRecord& r) {
  w.i32(r.broker_id.value());
  w.i64(r.broker_epoch.value());
}
UnregisterBrokerRecord get(FieldReader& r, std::type_identity<UnregisterBrokerRecord>) {
  UnregisterBrokerRecord out;
  out.broker_id = NodeId(r.i32());
  out.broker_epoch = BrokerEpoch(r.i64());
  return out;
}

void put(FieldWriter& w, const BrokerRegistrationChangeRecord& r) {
  w.i32(r.broker_id.value());
  w.i64(r.broker_epoch.value());
  w.u8(static_cast<uint8_t>(r.fenced));
  w.flag(r.in_controlled_shutdown);
}
BrokerRegistrationChangeRecord get(FieldReader& r, std::type_identity<BrokerRegistrationChangeRecord>) {
  BrokerRegistrationChangeRecord out;
  out.broker_id = NodeId(r.i32());
  out.broker_epoch = BrokerEpoch(r.i64());
  auto fenced = static_cast<int8_t>(r.u8());
  if (fenced < -1 || fenced > 1) r.mark_invalid();
  out.fenced = static_cast<FencingChange>(fenced);
  out.in_controlled_shutdown = r.flag();
  return out;
}

void put(FieldWriter& w, const TopicRecord& r) {
  w.str(r.name);
  w.uuid(r.topic_id);
}
TopicRecord get(FieldReader& r, std::type_identity<TopicRecord>) {
  TopicRecord out;
  out.name = r.str();
  out.topic_id = r.uuid();
  return out;
}

void put(FieldWriter& w, const PartitionRecord& r) {
  w.i32(r.partition_id.value());
  w.uuid(r.topic_id);
  w.nodes(r.replicas);
  w.nodes(r.isr);
  w.nodes(r.removing_replicas);
  w.nodes(r.adding_replicas);
  w.i32(r.leader.value());
  w.i32(r.leader_epoch.value());
  w.i32(r.partition_epoch.value());
}
PartitionRecord get(FieldReader& r, std::type_identity<PartitionRecord>) {
  PartitionRecord out;
  out.partition_id = PartitionId(r.i32());
  out.topic_id = r.uuid();
  out.replicas = r.nodes();
  out.isr = r.nodes();
  out.removing_replicas = r.nodes();
  out.adding_replicas = r.nodes();
  out.leader = NodeId(r.i32());
  out.leader_epoch = LeaderEpoch(r.i32());
  out.partition_epoch = PartitionEpoch(r.i32());
  return out;
}

// PartitionChangeRecord's optional fields follow a presence mask, in this bit order.
enum : uint8_t { kIsr = 1, kLeader = 2, kReplicas = 4, kRemoving = 8, kAdding = 16, kAllFields = 31 };

void put(FieldWriter& w, const PartitionChangeRecord& r) {
  w.i32(r.partition_id.value());
  w.uuid(r.topic_id);
  uint8_t mask = (r.isr ? kIsr : 0) | (r.leader ? kLeader : 0) | (r.replicas ? kReplicas : 0) |
                 (r.removing_replicas ? kRemoving : 0) | (r.adding_replicas ? kAdding : 0);
  w.u8(mask);
  if (r.isr) w.nodes(*r.isr);
  if (r.leader) w.i32(r.leader->value());
  if (r.replicas) w.nodes(*r.replicas);
  if (r.removing_replicas) w.nodes(*r.removing_replicas);
  if (r.adding_replicas) w.nodes(*r.adding_replicas);
}
PartitionChangeRecord get(FieldReader& r, std::type_identity<PartitionChangeRecord>) {
  PartitionChangeRecord out;
  out.partition_id = PartitionId(r.i32());
  out.topic_id = r.uuid();
  uint8_t mask = r.u8();
  if ((mask & ~kAllFields) != 0) r.mark_invalid();
  if (mask & kIsr) out.isr = r.nodes();
  if (mask & kLeader) out.leader = NodeId(r.i32());
  if (mask & kReplicas) out.replicas = r.nodes();
  if (mask & kRemoving) out.removing_replicas = r.nodes();
  if (mask & kAdding) out.adding_replicas = r.nodes();
  return out;
}

void put(FieldWriter& w, const RemoveTopicRecord& r) { w.uuid(r.topic_id); }
RemoveTopicRecord get(FieldReader& r, std::type_identity<RemoveTopicRecord>) { return {r.uuid()}; }

void put(FieldWriter& w, const ConfigRecord& r) {
  w.u8(static_cast<uint8_t>(r.resource_type));
  w.str(r.resource_name);
  w.str(r.name);
  w.opt_str(r.value);
}
ConfigRecord get(FieldReader& r, std::type_identity<ConfigRecord>) {
  ConfigRecord out;
  uint8_t type = r.u8();
  if (type != static_cast<uint8_t>(ConfigResourceType::topic) && type != static_cast<uint8_t>(ConfigResourceType::broker)) {
    r.mark_invalid();
  }
  out.resource_type = static_cast<ConfigResourceType>(type);
  out.resource_name = r.str();
  out.name = r.str();
  out.value = r.opt_str();
  return out;
}

void put(FieldWriter& w, const ProducerIdsRecord& r) {
  w.i32(r.broker_id.value());
  w.i64(r.broker_epoch.value());
  w.i64(r.next_producer_id);
}
ProducerIdsRecord get(FieldReader& r, std::type_identity<ProducerIdsRecord>) {
  ProducerIdsRecord out;
  out.broker_id = NodeId(r.i32());
  out.broker_epoch = BrokerEpoch(r.i64());
  out.next_producer_id = r.i64();
  return out;
}

void put(FieldWriter& w, const FeatureLevelRecord& r) {
  w.str(r.name);
  w.i16(r.feature_level);
}
void put(FieldWriter&, const NoOpRecord&) {}
NoOpRecord get(FieldReader&, std::type_identity<NoOpRecord>) { return {}; }

FeatureLevelRecord get(FieldReader& r, std::type_identity<FeatureLevelRecord>) {
  FeatureLevelRecord out;
  out.name = r.str();
  out.feature_level = r.i16();
  return out;
}

template <size_t I>
Record decode_body(FieldReader& r, size_t index) {
  if constexpr (I < std::variant_size_v<Record>) {
    if (index == I) return Record(get(r, std::type_identity<std::variant_alternative_t<I, Record>>{}));
    return decode_body<I + 1>(r, index);
  } else {
    RUNNEL_ASSERT(false, "record index %zu out of range", index);
    return Record{};
  }
}

}  // namespace

const char* name(DecodeErrc code) {
  switch (code) {
    case DecodeErrc::truncated: return "truncated";
    case DecodeErrc::unknown_type: return "unknown_type";
    case DecodeErrc::unsupported_version: return "unsupported_version";
    case DecodeErrc::invalid_value: return "invalid_value";
    case DecodeErrc::trailing_bytes: return "trailing_bytes";
  }
  return "unknown";
}

uint8_t current_version(RecordType) { return 0; }

void encode(const Record& record, std::vector<uint8_t>& out) {
  FieldWriter w(out);
  RecordType type = type_of(record);
  w.u16(static_cast<uint16_t>(type));
  w.u8(current_version(type));
  std::visit([&w](const auto& r) { put(w, r); }, record);
}

std::vector<uint8_t> encode(const Record& record) {
  std::vector<uint8_t> out;
  encode(record, out);
  return out;
}

Result<Record, DecodeError> decode(std::span<const uint8_t> bytes) {
  FieldReader r(bytes);
  uint16_t type = r.u16();
  uint8_t version = r.u8();
  if (!r.ok()) return Unexpected(DecodeError{DecodeErrc::truncated, 0, r.position()});
  if (type == 0 || type > kMaxType) return Unexpected(DecodeError{DecodeErrc::unknown_type, type, 2});
  if (version > current_version(static_cast<RecordType>(type))) {
    return Unexpected(DecodeError{DecodeErrc::unsupported_version, type, 3});
  }
  Record record = decode_body<0>(r, type - 1u);
  if (r.invalid()) return Unexpected(DecodeError{DecodeErrc::invalid_value, type, r.position()});
  if (!r.ok()) return Unexpected(DecodeError{DecodeErrc::truncated, type, r.position()});
  if (r.remaining() != 0) return Unexpected(DecodeError{DecodeErrc::trailing_bytes, type, r.position()});
  return record;
}

}  // namespace runnel::metadata
