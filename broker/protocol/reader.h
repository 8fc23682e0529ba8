#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include "broker/model/uuid.h"
#include "broker/protocol/types.h"

namespace runnel::protocol {

// Bounds-checked big-endian cursor over a received Kafka message.
//
// Hostile input is the normal case for a network decoder, so failure is a sticky flag rather than
// an exception: the first malformed read sets !ok(), and from then on every read returns a zero
// value without touching memory. Callers check ok() once at a convenient point. No read ever goes
// past `size`, and no length taken from the wire can make us allocate more than the bytes that
// actually remain (an element needs at least one byte).
//
// "compact" variants are the flexible-version encodings (unsigned varint of length+1, 0 = null).
class Reader {
 public:
  Reader(const uint8_t* data, size_t size) : data_(data), size_(size) {}

  bool ok() const { return ok_; }
  void fail() { ok_ = false; pos_ = size_; }
  size_t position() const { return pos_; }
  size_t remaining() const { return size_ - pos_; }
  const uint8_t* current() const { return data_ + pos_; }

  // Returns a pointer to the next n bytes and advances, or nullptr (and fails) if there are fewer.
  const uint8_t* read_raw(size_t n) {
    if (!ok_ || n > remaining()) {
      fail();
      return nullptr;
    }
    const uint8_t* p = data_ + pos_;
    pos_ += n;
    return p;
  }
  void skip(size_t n) { (void)read_raw(n); }

  // A reader over the next n bytes (used for tagged fields, whose size is known up front).
  Reader sub_reader(size_t n) {
    const uint8_t* p = read_raw(n);
    if (p == nullptr) {
      Reader bad(data_, 0);
      bad.fail();
      return bad;
    }
    return Reader(p, n);
  }

  int8_t read_int8() { return static_cast<int8_t>(read_be<uint8_t>()); }
  bool read_bool() { return read_be<uint8_t>() != 0; }
  int16_t read_int16() { return static_cast<int16_t>(read_be<uint16_t>()); }
  uint16_t read_uint16() { return read_be<uint16_t>(); }
  int32_t read_int32() { return static_cast<int32_t>(read_be<uint32_t>()); }
  uint32_t read_uint32() { return read_be<uint32_t>(); }
  int64_t read_int64() { return static_cast<int64_t>(read_be<uint64_t>()); }
  double read_float64() { return std::bit_cast<double>(read_be<uint64_t>()); }

  Uuid read_uuid() {
    Uuid u;
    if (const uint8_t* p = read_raw(16)) std::memcpy(u.bytes.data(), p, 16);
    return u;
  }

  // Unsigned LEB128 varints. More than 5 (resp. 10) bytes, or bits past 32 (64), is malformed.
  uint32_t read_uvarint() {
    uint32_t value = 0;
    for (int i = 0; i < 5; ++i) {
      uint8_t b = read_be<uint8_t>();
      if (!ok_) return 0;
      if (i == 4 && (b & 0xf0) != 0) break;
      value |= static_cast<uint32_t>(b & 0x7f) << (7 * i);
      if ((b & 0x80) == 0) return value;
    }
    fail();
    return 0;
  }
  uint64_t read_uvarlong() {
    uint64_t value = 0;
    for (int i = 0; i < 10; ++i) {
      uint8_t b = read_be<uint8_t>();
      if (!ok_) return 0;
      if (i == 9 && (b & 0xfe) != 0) break;
      value |= static_cast<uint64_t>(b & 0x7f) << (7 * i);
      if ((b & 0x80) == 0) return value;
    }
    fail();
    return 0;
  }
  // Zigzag-encoded signed varints (record headers use these).
  int32_t read_varint() {
    uint32_t u = read_uvarint();
    return static_cast<int32_t>((u >> 1) ^ (~(u & 1) + 1));
  }
  int64_t read_varlong() {
    uint64_t u = read_uvarlong();
    return static_cast<int64_t>((u >> 1) ^ (~(u & 1) + 1));
  }

  // Length prefix of a string/bytes/array. -1 means null. Anything else negative, a length past
  // the end of the input (for strings and bytes, `element_min` bytes each otherwise), or a
  // varint that does not fit in int32 is a failure, reported as returning false.
  bool read_length(bool compact, bool int16_len, size_t element_min, int32_t& out) {
    int64_t len;
    if (compact) {
      len = static_cast<int64_t>(read_uvarint()) - 1;
      if (len > INT32_MAX) len = -2;
    } else {
      len = int16_len ? read_int16() : read_int32();
    }
    if (!ok_ || len < -1 || (len > 0 && static_cast<uint64_t>(len) * element_min > remaining())) {
      fail();
      return false;
    }
    out = static_cast<int32_t>(len);
    return true;
  }
  // Array element count; out = -1 for a null array.
  bool read_array_length(bool compact, int32_t& out) { return read_length(compact, false, 1, out); }

  bool read_string(bool compact, std::string& out) {
    int32_t n;
    if (!read_length(compact, true, 1, n)) return false;
    if (n < 0) return fail_false();  // null where the schema does not allow it
    const uint8_t* p = read_raw(static_cast<size_t>(n));
    out.assign(reinterpret_cast<const char*>(p), static_cast<size_t>(n));
    return true;
  }
  bool read_nullable_string(bool compact, std::optional<std::string>& out) {
    int32_t n;
    if (!read_length(compact, true, 1, n)) return false;
    if (n < 0) {
      out.reset();
      return true;
    }
    const uint8_t* p = read_raw(static_cast<size_t>(n));
    out.emplace(reinterpret_cast<const char*>(p), static_cast<size_t>(n));
    return true;
  }
  bool read_bytes(bool compact, std::vector<uint8_t>& out) {
    int32_t n;
    if (!read_length(compact, false, 1, n)) return false;
    if (n < 0) return fail_false();
    const uint8_t* p = read_raw(static_cast<size_t>(n));
    out.assign(p, p + n);
    return true;
  }
  bool read_nullable_bytes(bool compact, std::optional<std::vector<uint8_t>>& out) {
    int32_t n;
    if (!read_length(compact, false, 1, n)) return false;
    if (n < 0) {
      out.reset();
      return true;
    }
    const uint8_t* p = read_raw(static_cast<size_t>(n));
    out.emplace(p, p + n);
    return true;
  }
  // Records are always nullable on the wire; the result points into this reader's buffer.
  bool read_records(bool compact, RecordsRef& out) {
    int32_t n;
    if (!read_length(compact, false, 1, n)) return false;
    if (n < 0) {
      out = RecordsRef{};
      return true;
    }
    const uint8_t* p = read_raw(static_cast<size_t>(n));
    out = RecordsRef{p, static_cast<size_t>(n), false};
    return true;
  }

 private:
  bool fail_false() {
    fail();
    return false;
  }

  template <typename T>
  T read_be() {
    const uint8_t* p = read_raw(sizeof(T));
    if (p == nullptr) return 0;
    T v = 0;
    for (size_t i = 0; i < sizeof(T); ++i) v = static_cast<T>((v << 8) | p[i]);
    return v;
  }

  const uint8_t* data_;
  size_t size_;
  size_t pos_ = 0;
  bool ok_ = true;
};

}  // namespace runnel::protocol
