#pragma once

// Zig-zag varints (Protobuf's encoding), used by every field inside a v2 record.
// Readers follow Kafka's ByteUtils: an int32 varint has at most 5 bytes and an int64 at most
// 10; a longer one, or one that runs off the end of the buffer, is malformed.

#include <cstddef>
#include <cstdint>
#include <vector>

namespace runnel::records {

// Decodes at p, not reading at or past `end`. Returns bytes consumed, or 0 if malformed.
inline size_t read_varint(const uint8_t* p, const uint8_t* end, int32_t& out) {
  uint32_t raw = 0;
  for (size_t i = 0; i < 5; ++i) {
    if (p + i >= end) return 0;
    uint8_t b = p[i];
    raw |= uint32_t(b & 0x7f) << (7 * i);
    if ((b & 0x80) == 0) {
      out = int32_t((raw >> 1) ^ (~(raw & 1) + 1));
      return i + 1;
    }
  }
  return 0;
}

inline size_t read_varlong(const uint8_t* p, const uint8_t* end, int64_t& out) {
  uint64_t raw = 0;
  for (size_t i = 0; i < 10; ++i) {
    if (p + i >= end) return 0;
    uint8_t b = p[i];
    raw |= uint64_t(b & 0x7f) << (7 * i);
    if ((b & 0x80) == 0) {
      out = int64_t((raw >> 1) ^ (~(raw & 1) + 1));
      return i + 1;
    }
  }
  return 0;
}

inline size_t varlong_size(int64_t v) {
  uint64_t z = (uint64_t(v) << 1) ^ uint64_t(v >> 63);
  size_t n = 1;
  while (z >= 0x80) {
    z >>= 7;
    ++n;
  }
  return n;
}
inline size_t varint_size(int32_t v) { return varlong_size(v); }

inline void append_varlong(std::vector<uint8_t>& out, int64_t v) {
  uint64_t z = (uint64_t(v) << 1) ^ uint64_t(v >> 63);
  while (z >= 0x80) {
    out.push_back(uint8_t(z) | 0x80);
    z >>= 7;
  }
  out.push_back(uint8_t(z));
}
inline void append_varint(std::vector<uint8_t>& out, int32_t v) { append_varlong(out, v); }

}  // namespace runnel::records
