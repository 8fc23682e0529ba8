#include "broker/group/consumer_group_records.h"

#include "broker/group/records_io.h"

namespace runnel::group {

namespace {

using detail::In;
using detail::Out;

constexpr int16_t kValueVersion = 0;

bool member_level(ConsumerRecordType t) {
  return t == ConsumerRecordType::member_metadata || t == ConsumerRecordType::target_member ||
         t == ConsumerRecordType::current_assignment;
}

void put_uuid(Out& o, const Uuid& u) { o.fixed(u.bytes.data(), u.bytes.size()); }

Uuid get_uuid(In& in) {
  Uuid u;
  std::string s = in.fixed(u.bytes.size());
  if (s.size() == u.bytes.size()) std::copy(s.begin(), s.end(), u.bytes.begin());
  return u;
}

void put_assignment(Out& o, const Assignment& a) {
  o.i32(static_cast<int32_t>(a.size()));
  for (const auto& [t, ps] : a) {
    put_uuid(o, t);
    o.i32(static_cast<int32_t>(ps.size()));
    for (int32_t p : ps) o.i32(p);
  }
}

// A count is bounded by the bytes left (each entry takes at least 4), so corrupt input cannot
// make the reader allocate or loop without end.
bool sane_count(int32_t n, std::string_view bytes) { return n >= 0 && static_cast<size_t>(n) <= bytes.size() / 4; }

Assignment get_assignment(In& in, std::string_view bytes) {
  Assignment a;
  int32_t topics = in.i32();
  if (!sane_count(topics, bytes)) return {};
  for (int32_t i = 0; i < topics && in.ok(); ++i) {
    Uuid t = get_uuid(in);
    int32_t n = in.i32();
    if (!sane_count(n, bytes)) return {};
    auto& ps = a[t];
    for (int32_t j = 0; j < n && in.ok(); ++j) ps.insert(in.i32());
  }
  return a;
}

}  // namespace

std::string encode_consumer_key(const ConsumerRecordKey& k) {
  Out o;
  o.i16(static_cast<int16_t>(k.type));
  o.str(k.group);
  if (member_level(k.type)) o.str(k.member);
  return o.take();
}

std::optional<ConsumerRecordKey> decode_consumer_key(std::string_view bytes) {
  In in(bytes);
  int16_t type = in.i16();
  if (!in.ok() || type < 3 || type > 8 || type == 4) return std::nullopt;
  ConsumerRecordKey k;
  k.type = static_cast<ConsumerRecordType>(type);
  k.group = in.str();
  if (member_level(k.type)) k.member = in.str();
  if (!in.ok() || !in.at_end()) return std::nullopt;
  return k;
}

std::string encode_group_metadata(const GroupMetadataValue& v) {
  Out o;
  o.i16(kValueVersion);
  o.i32(v.epoch);
  o.i32(static_cast<int32_t>(v.subscribed.size()));
  for (const auto& [name, t] : v.subscribed) {
    o.str(t.name);
    put_uuid(o, t.id);
    o.i32(t.partitions);
  }
  return o.take();
}

std::optional<GroupMetadataValue> decode_group_metadata(std::string_view bytes) {
  In in(bytes);
  if (in.i16() != kValueVersion) return std::nullopt;
  GroupMetadataValue v;
  v.epoch = in.i32();
  int32_t n = in.i32();
  if (!sane_count(n, bytes)) return std::nullopt;
  for (int32_t i = 0; i < n && in.ok(); ++i) {
    TopicMeta t;
    t.name = in.str();
    t.id = get_uuid(in);
    t.partitions = in.i32();
    v.subscribed[t.name] = t;
  }
  if (!in.ok()) return std::nullopt;
  return v;
}

std::string encode_member_metadata(const ConsumerMember& m) {
  Out o;
  o.i16(kValueVersion);
  o.nstr(m.instance_id);
  o.nstr(m.rack_id);
  o.str(m.client_id);
  o.str(m.client_host);
  o.i32(static_cast<int32_t>(m.subscribed_topic_names.size()));
  for (const std::string& t : m.subscribed_topic_names) o.str(t);
  o.nstr(m.subscribed_topic_regex);
  o.i32(m.rebalance_timeout_ms);
  o.nstr(m.server_assignor);
  return o.take();
}

bool decode_member_metadata(std::string_view bytes, ConsumerMember& m) {
  In in(bytes);
  if (in.i16() != kValueVersion) return false;
  m.instance_id = in.nstr();
  m.rack_id = in.nstr();
  m.client_id = in.str();
  m.client_host = in.str();
  int32_t n = in.i32();
  if (!sane_count(n, bytes)) return false;
  m.subscribed_topic_names.clear();
  for (int32_t i = 0; i < n && in.ok(); ++i) m.subscribed_topic_names.push_back(in.str());
  m.subscribed_topic_regex = in.nstr();
  m.rebalance_timeout_ms = in.i32();
  m.server_assignor = in.nstr();
  return in.ok();
}

std::string encode_target_metadata(int32_t assignment_epoch) {
  Out o;
  o.i16(kValueVersion);
  o.i32(assignment_epoch);
  return o.take();
}

std::optional<int32_t> decode_target_metadata(std::string_view bytes) {
  In in(bytes);
  if (in.i16() != kValueVersion) return std::nullopt;
  int32_t e = in.i32();
  if (!in.ok()) return std::nullopt;
  return e;
}

std::string encode_target_member(const Assignment& a) {
  Out o;
  o.i16(kValueVersion);
  put_assignment(o, a);
  return o.take();
}

std::optional<Assignment> decode_target_member(std::string_view bytes) {
  In in(bytes);
  if (in.i16() != kValueVersion) return std::nullopt;
  Assignment a = get_assignment(in, bytes);
  if (!in.ok()) return std::nullopt;
  return a;
}

std::string encode_current_assignment(const ConsumerMember& m) {
  Out o;
  o.i16(kValueVersion);
  o.i32(m.member_epoch);
  o.i32(m.previous_member_epoch);
  o.i8(static_cast<int8_t>(m.state));
  put_assignment(o, m.assigned);
  put_assignment(o, m.pending_revocation);
  return o.take();
}

bool decode_current_assignment(std::string_view bytes, ConsumerMember& m) {
  In in(bytes);
  if (in.i16() != kValueVersion) return false;
  m.member_epoch = in.i32();
  m.previous_member_epoch = in.i32();
  int8_t state = in.i8();
  if (state < 0 || state > 2) return false;
  m.state = static_cast<MemberState>(state);
  m.assigned = get_assignment(in, bytes);
  m.pending_revocation = get_assignment(in, bytes);
  return in.ok();
}

}  // namespace runnel::group
