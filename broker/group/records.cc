#include "broker/group/records.h"

#include <cstring>

#include "broker/group/records_io.h"

namespace runnel::group {

namespace {

using detail::In;
using detail::Out;

constexpr int16_t kOffsetKeyType = 0;
constexpr int16_t kGroupKeyType = 1;
constexpr int16_t kValueVersion = 0;

}  // namespace

std::string encode_key(const OffsetKey& k) {
  Out o;
  o.i16(kOffsetKeyType);
  o.str(k.group);
  o.str(k.topic);
  o.i32(k.partition);
  return o.take();
}

std::string encode_key(const GroupKey& k) {
  Out o;
  o.i16(kGroupKeyType);
  o.str(k.group);
  return o.take();
}

std::string encode_value(const OffsetValue& v) {
  Out o;
  o.i16(kValueVersion);
  o.i64(v.offset);
  o.i32(v.leader_epoch);
  o.nstr(v.metadata);
  o.i64(v.commit_timestamp_ms);
  return o.take();
}

std::string encode_value(const GroupValue& v) {
  Out o;
  o.i16(kValueVersion);
  o.str(v.protocol_type);
  o.i32(v.generation);
  o.nstr(v.protocol_name);
  o.nstr(v.leader);
  o.i64(v.state_timestamp_ms);
  o.i32(static_cast<int32_t>(v.members.size()));
  for (const MemberValue& m : v.members) {
    o.str(m.member_id);
    o.nstr(m.instance_id);
    o.str(m.client_id);
    o.str(m.client_host);
    o.i32(m.rebalance_timeout_ms);
    o.i32(m.session_timeout_ms);
    o.bytes(m.subscription);
    o.bytes(m.assignment);
  }
  return o.take();
}

std::optional<RecordKey> decode_key(std::string_view bytes) {
  In in(bytes);
  int16_t type = in.i16();
  if (type == kOffsetKeyType) {
    OffsetKey k;
    k.group = in.str();
    k.topic = in.str();
    k.partition = in.i32();
    if (in.ok() && in.at_end()) return k;
  } else if (type == kGroupKeyType) {
    GroupKey k;
    k.group = in.str();
    if (in.ok() && in.at_end()) return k;
  }
  return std::nullopt;
}

std::optional<OffsetValue> decode_offset_value(std::string_view bytes) {
  In in(bytes);
  if (in.i16() != kValueVersion) return std::nullopt;
  OffsetValue v;
  v.offset = in.i64();
  v.leader_epoch = in.i32();
  v.metadata = in.nstr();
  v.commit_timestamp_ms = in.i64();
  if (!in.ok()) return std::nullopt;
  return v;
}

std::optional<GroupValue> decode_group_value(std::string_view bytes) {
  In in(bytes);
  if (in.i16() != kValueVersion) return std::nullopt;
  GroupValue v;
  v.protocol_type = in.str();
  v.generation = in.i32();
  v.protocol_name = in.nstr();
  v.leader = in.nstr();
  v.state_timestamp_ms = in.i64();
  int32_t n = in.i32();
  // Each member takes at least 28 bytes: a count beyond that is corrupt, not a reason to allocate.
  if (!in.ok() || n < 0 || static_cast<size_t>(n) > bytes.size() / 28) return std::nullopt;
  v.members.resize(static_cast<size_t>(n));
  for (MemberValue& m : v.members) {
    m.member_id = in.str();
    m.instance_id = in.nstr();
    m.client_id = in.str();
    m.client_host = in.str();
    m.rebalance_timeout_ms = in.i32();
    m.session_timeout_ms = in.i32();
    m.subscription = in.bytes();
    m.assignment = in.bytes();
  }
  if (!in.ok()) return std::nullopt;
  return v;
}

}  // namespace runnel::group
