#include "broker/records/crc32c.h"

#include <array>
#include <cstring>

#if defined(__x86_64__)
#include <nmmintrin.h>
#endif

namespace runnel::records {
namespace {

constexpr uint32_t kPoly = 0x82F63B78;  // Castagnoli, reflected

// tables[k][b]: CRC of byte b followed by k zero bytes, for slicing-by-8.
constexpr std::array<std::array<uint32_t, 256>, 8> make_tables() {
  std::array<std::array<uint32_t, 256>, 8> t{};
  for (uint32_t b = 0; b < 256; ++b) {
    uint32_t c = b;
    for (int i = 0; i < 8; ++i) c = (c >> 1) ^ ((c & 1) ? kPoly : 0);
    t[0][b] = c;
  }
  for (uint32_t b = 0; b < 256; ++b) {
    for (size_t k = 1; k < 8; ++k) t[k][b] = (t[k - 1][b] >> 8) ^ t[0][t[k - 1][b] & 0xff];
  }
  return t;
}
constexpr auto kTables = make_tables();

#if defined(__x86_64__)
// Advancing a CRC register over `n` zero bytes is linear over GF(2), so it is a 32x32 bit matrix,
// applied here as four byte-indexed tables. It is what lets three independent crc32 chains
// (the instruction has a latency of 3 and a throughput of 1 per cycle) be joined into one CRC.
struct ZeroShift {
  std::array<std::array<uint32_t, 256>, 4> t{};
  explicit ZeroShift(size_t n) {
    uint32_t basis[32];
    for (int bit = 0; bit < 32; ++bit) {
      uint32_t c = uint32_t{1} << bit;
      for (size_t i = 0; i < n; ++i) c = (c >> 8) ^ kTables[0][c & 0xff];
      basis[bit] = c;
    }
    for (size_t k = 0; k < 4; ++k) {
      for (uint32_t b = 0; b < 256; ++b) {
        uint32_t v = 0;
        for (int bit = 0; bit < 8; ++bit) {
          if (b & (1u << bit)) v ^= basis[8 * k + size_t(bit)];
        }
        t[k][b] = v;
      }
    }
  }
  uint32_t operator()(uint32_t c) const {
    return t[0][c & 0xff] ^ t[1][(c >> 8) & 0xff] ^ t[2][(c >> 16) & 0xff] ^ t[3][c >> 24];
  }
};

// Lane lengths of the three-way split: long lanes for big batches, short ones for ~1 KiB.
constexpr size_t kLongLane = 4096;
constexpr size_t kShortLane = 256;

// Only these functions are compiled for SSE4.2; they run only after the CPU check below.
__attribute__((target("sse4.2"))) inline uint64_t crc_words(uint64_t c, const uint8_t* p, size_t words) {
  for (size_t i = 0; i < words; ++i) {
    uint64_t v;
    std::memcpy(&v, p + 8 * i, 8);
    c = _mm_crc32_u64(c, v);
  }
  return c;
}

__attribute__((target("sse4.2"))) uint64_t crc_three_lanes(uint64_t c, const uint8_t*& p, size_t& len,
                                                           size_t lane, const ZeroShift& shift) {
  while (len >= 3 * lane) {
    uint64_t c1 = 0;
    uint64_t c2 = 0;
    for (size_t i = 0; i < lane; i += 8) {
      uint64_t v0;
      uint64_t v1;
      uint64_t v2;
      std::memcpy(&v0, p + i, 8);
      std::memcpy(&v1, p + lane + i, 8);
      std::memcpy(&v2, p + 2 * lane + i, 8);
      c = _mm_crc32_u64(c, v0);
      c1 = _mm_crc32_u64(c1, v1);
      c2 = _mm_crc32_u64(c2, v2);
    }
    c = shift(shift(uint32_t(c)) ^ uint32_t(c1)) ^ uint32_t(c2);
    p += 3 * lane;
    len -= 3 * lane;
  }
  return c;
}

__attribute__((target("sse4.2"))) uint32_t crc32c_sse42(const uint8_t* p, size_t len,
                                                         uint32_t crc) {
  static const ZeroShift long_shift(kLongLane);
  static const ZeroShift short_shift(kShortLane);
  uint64_t c = ~crc;
  c = crc_three_lanes(c, p, len, kLongLane, long_shift);
  c = crc_three_lanes(c, p, len, kShortLane, short_shift);
  c = crc_words(c, p, len / 8);
  p += len & ~size_t{7};
  len &= 7;
  uint32_t c32 = uint32_t(c);
  while (len > 0) {
    c32 = _mm_crc32_u8(c32, *p++);
    --len;
  }
  return ~c32;
}

bool detect_sse42() {
  __builtin_cpu_init();
  return __builtin_cpu_supports("sse4.2");
}
#endif

}  // namespace

uint32_t crc32c_software(const uint8_t* p, size_t len, uint32_t crc) {
  uint32_t c = ~crc;
  while (len >= 8) {
    uint32_t lo;
    uint32_t hi;
    std::memcpy(&lo, p, 4);
    std::memcpy(&hi, p + 4, 4);
    // Little-endian word order is what the reflected tables expect.
    if constexpr (__BYTE_ORDER__ == __ORDER_BIG_ENDIAN__) {
      lo = __builtin_bswap32(lo);
      hi = __builtin_bswap32(hi);
    }
    lo ^= c;
    c = kTables[7][lo & 0xff] ^ kTables[6][(lo >> 8) & 0xff] ^ kTables[5][(lo >> 16) & 0xff] ^
        kTables[4][lo >> 24] ^ kTables[3][hi & 0xff] ^ kTables[2][(hi >> 8) & 0xff] ^
        kTables[1][(hi >> 16) & 0xff] ^ kTables[0][hi >> 24];
    p += 8;
    len -= 8;
  }
  while (len > 0) {
    c = (c >> 8) ^ kTables[0][(c ^ *p++) & 0xff];
    --len;
  }
  return ~c;
}

bool crc32c_hardware_available() {
#if defined(__x86_64__)
  static const bool available = detect_sse42();
  return available;
#else
  return false;
#endif
}

uint32_t crc32c(const uint8_t* data, size_t len, uint32_t crc) {
#if defined(__x86_64__)
  if (crc32c_hardware_available()) return crc32c_sse42(data, len, crc);
#endif
  return crc32c_software(data, len, crc);
}

}  // namespace runnel::records
