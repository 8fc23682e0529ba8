#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "broker/model/assert.h"
#include "broker/model/uuid.h"
#include "broker/protocol/types.h"

namespace runnel::protocol {

// Big-endian encoder for Kafka messages.
//
// Two modes. `Writer(out)` appends to a caller-owned vector. `Writer()` writes nothing and only
// counts: the generated `encoded_size()` runs the real encode path through a counting writer, so
// the size and the bytes cannot disagree. Tagged fields use the same trick to learn their length
// prefix before writing the value.
//
// Encoding does not stop on bad values: a string longer than 32767 bytes in a non-compact
// version (possible when a client stored a long config value with a newer version) is written
// truncated, so the frame stays well-formed, and ok() turns false. Lengths beyond int32 are
// impossible for in-memory values and are asserted.
class Writer {
 public:
  explicit Writer(std::vector<uint8_t>& out) : out_(&out), start_(out.size()) {}
  Writer() = default;  // counting only

  bool counting() const { return out_ == nullptr; }
  // False once a value had to be truncated to fit its wire encoding.
  bool ok() const { return ok_; }
  // Bytes written by this writer so far (for an appending writer: relative to where it started),
  // external ones included: the length of the message on the wire.
  size_t position() const { return counted_; }
  // Lets records fields marked `external` stay where they are: their bytes are not copied into
  // the buffer, and where they go is appended to `out` (as indexes into the buffer). Whoever
  // sends the buffer sends those bytes in between (net::Connection::respond).
  void set_external(std::vector<ExternalBytes>* out) { external_ = out; }
  bool has_external() const { return external_ != nullptr; }
  // Overwrites 4 bytes at `pos` (a value returned by position()), e.g. a size prefix. Only
  // before the first external bytes, where buffer and wire positions are the same.
  void patch_int32(size_t pos, int32_t v) {
    if (counting()) return;
    RUNNEL_ASSERT(pos + 4 <= counted_, "patch_int32 at %zu past end %zu", pos, counted_);
    RUNNEL_ASSERT(external_ == nullptr || external_->empty() || start_ + pos + 4 <= external_->front().at,
                  "patch_int32 at %zu after external bytes", pos);
    uint32_t u = static_cast<uint32_t>(v);
    uint8_t* p = out_->data() + start_ + pos;
    p[0] = static_cast<uint8_t>(u >> 24);
    p[1] = static_cast<uint8_t>(u >> 16);
    p[2] = static_cast<uint8_t>(u >> 8);
    p[3] = static_cast<uint8_t>(u);
  }

  void write_raw(const uint8_t* data, size_t n) {
    if (!counting() && n > 0) out_->insert(out_->end(), data, data + n);
    counted_ += n;
  }

  void write_int8(int8_t v) { write_be<uint8_t>(static_cast<uint8_t>(v)); }
  void write_bool(bool v) { write_be<uint8_t>(v ? 1 : 0); }
  void write_int16(int16_t v) { write_be<uint16_t>(static_cast<uint16_t>(v)); }
  void write_uint16(uint16_t v) { write_be<uint16_t>(v); }
  void write_int32(int32_t v) { write_be<uint32_t>(static_cast<uint32_t>(v)); }
  void write_uint32(uint32_t v) { write_be<uint32_t>(v); }
  void write_int64(int64_t v) { write_be<uint64_t>(static_cast<uint64_t>(v)); }
  void write_float64(double v) { write_be<uint64_t>(std::bit_cast<uint64_t>(v)); }
  void write_uuid(const Uuid& u) { write_raw(u.bytes.data(), 16); }

  void write_uvarint(uint32_t v) { write_uvarlong(v); }
  void write_uvarlong(uint64_t v) {
    uint8_t buf[10];
    size_t n = 0;
    while (v >= 0x80) {
      buf[n++] = static_cast<uint8_t>(v | 0x80);
      v >>= 7;
    }
    buf[n++] = static_cast<uint8_t>(v);
    write_raw(buf, n);
  }
  void write_varint(int32_t v) {
    write_uvarint((static_cast<uint32_t>(v) << 1) ^ static_cast<uint32_t>(v >> 31));
  }
  void write_varlong(int64_t v) {
    write_uvarlong((static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63));
  }

  // Length prefix; -1 writes null. `int16_len` is the classic string encoding.
  void write_length(bool compact, bool int16_len, int64_t n) {
    RUNNEL_ASSERT(n >= -1 && n <= (int16_len && !compact ? INT16_MAX : INT32_MAX),
                  "length %lld does not fit the wire format", static_cast<long long>(n));
    if (compact) {
      write_uvarint(static_cast<uint32_t>(n + 1));
    } else if (int16_len) {
      write_int16(static_cast<int16_t>(n));
    } else {
      write_int32(static_cast<int32_t>(n));
    }
  }
  void write_array_length(bool compact, int64_t n) { write_length(compact, false, n); }

  void write_string(bool compact, std::string_view s) {
    if (!compact && s.size() > static_cast<size_t>(INT16_MAX)) {
      ok_ = false;
      s = s.substr(0, INT16_MAX);
    }
    write_length(compact, true, static_cast<int64_t>(s.size()));
    write_raw(reinterpret_cast<const uint8_t*>(s.data()), s.size());
  }
  void write_nullable_string(bool compact, const std::optional<std::string>& s) {
    if (!s) return write_length(compact, true, -1);
    write_string(compact, *s);
  }
  void write_bytes(bool compact, const std::vector<uint8_t>& b) {
    write_length(compact, false, static_cast<int64_t>(b.size()));
    write_raw(b.data(), b.size());
  }
  void write_nullable_bytes(bool compact, const std::optional<std::vector<uint8_t>>& b) {
    if (!b) return write_length(compact, false, -1);
    write_bytes(compact, *b);
  }
  void write_records(bool compact, const RecordsRef& r) {
    if (r.is_null) return write_length(compact, false, -1);
    write_length(compact, false, static_cast<int64_t>(r.size));
    if (r.external && external_ != nullptr && r.size > 0) {
      if (!counting()) external_->push_back(ExternalBytes{out_->size(), r.data, r.size});
      counted_ += r.size;
      return;
    }
    write_raw(r.data, r.size);
  }

 private:
  template <typename T>
  void write_be(T v) {
    uint8_t buf[sizeof(T)];
    for (size_t i = 0; i < sizeof(T); ++i) buf[i] = static_cast<uint8_t>(v >> (8 * (sizeof(T) - 1 - i)));
    write_raw(buf, sizeof(T));
  }

  std::vector<uint8_t>* out_ = nullptr;
  std::vector<ExternalBytes>* external_ = nullptr;
  size_t start_ = 0;
  size_t counted_ = 0;
  bool ok_ = true;
};

}  // namespace runnel::protocol
