#include "broker/group/records.h"

#include <cstring>

namespace runnel::group {

namespace {

constexpr int16_t kOffsetKeyType = 0;
constexpr int16_t kGroupKeyType = 1;
constexpr int16_t kValueVersion = 0;

class Out {
 public:
  void i16(int16_t v) { be(static_cast<uint64_t>(static_cast<uint16_t>(v)), 2); }
  void i32(int32_t v) { be(static_cast<uint64_t>(static_cast<uint32_t>(v)), 4); }
  void i64(int64_t v) { be(static_cast<uint64_t>(v), 8); }
  void str(const std::string& s) {
    i16(static_cast<int16_t>(s.size()));
    buf_ += s;
  }
  void nstr(const std::optional<std::string>& s) {
    if (!s) {
      i16(-1);
    } else {
      str(*s);
    }
  }
  void bytes(const std::vector<uint8_t>& b) {
    i32(static_cast<int32_t>(b.size()));
    buf_.append(reinterpret_cast<const char*>(b.data()), b.size());
  }
  std::string take() { return std::move(buf_); }

 private:
  void be(uint64_t v, int n) {
    for (int i = n - 1; i >= 0; --i) buf_.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
  }
  std::string buf_;
};

// Bounds-checked reader: every read after a failure fails too, so callers check ok() once.
class In {
 public:
  explicit In(std::string_view b) : b_(b) {}
  bool ok() const { return ok_; }
  bool at_end() const { return pos_ == b_.size(); }
  int16_t i16() { return static_cast<int16_t>(be(2)); }
  int32_t i32() { return static_cast<int32_t>(be(4)); }
  int64_t i64() { return static_cast<int64_t>(be(8)); }
  std::optional<std::string> nstr() {
    int16_t n = i16();
    if (!ok_ || n < 0) return std::nullopt;
    return raw(static_cast<size_t>(n));
  }
  std::string str() {
    int16_t n = i16();
    if (n < 0) ok_ = false;
    return ok_ ? raw(static_cast<size_t>(n)) : std::string();
  }
  std::vector<uint8_t> bytes() {
    int32_t n = i32();
    if (n < 0) ok_ = false;
    std::string s = ok_ ? raw(static_cast<size_t>(n)) : std::string();
    return {s.begin(), s.end()};
  }

 private:
  uint64_t be(int n) {
    if (!ok_ || b_.size() - pos_ < static_cast<size_t>(n)) {
      ok_ = false;
      return 0;
    }
    uint64_t v = 0;
    for (int i = 0; i < n; ++i) v = (v << 8) | static_cast<uint8_t>(b_[pos_++]);
    return v;
  }
  std::string raw(size_t n) {
    if (!ok_ || b_.size() - pos_ < n) {
      ok_ = false;
      return {};
    }
    std::string s(b_.substr(pos_, n));
    pos_ += n;
    return s;
  }
  std::string_view b_;
  size_t pos_ = 0;
  bool ok_ = true;
};

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
