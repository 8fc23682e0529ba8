#pragma once

// Big-endian writer and bounds-checked reader for the __consumer_offsets key/value encodings
// (FORMAT.md), shared by records.cc and consumer_group_records.cc.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace runnel::group::detail {

class Out {
 public:
  void i8(int8_t v) { buf_.push_back(static_cast<char>(v)); }
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
  void fixed(const uint8_t* p, size_t n) { buf_.append(reinterpret_cast<const char*>(p), n); }
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
  int8_t i8() { return static_cast<int8_t>(be(1)); }
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
  std::string fixed(size_t n) { return raw(n); }
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

}  // namespace runnel::group::detail
