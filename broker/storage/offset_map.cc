#include "broker/storage/offset_map.h"

#include <algorithm>
#include <cstring>

#include "broker/model/assert.h"

namespace runnel::storage {
namespace {

constexpr uint64_t kPrime1 = 0x9E3779B185EBCA87ULL;
constexpr uint64_t kPrime2 = 0xC2B2AE3D27D4EB4FULL;

uint64_t rotl(uint64_t x, int r) { return (x << r) | (x >> (64 - r)); }

// Final avalanche (MurmurHash3's fmix64): every input bit affects every output bit.
uint64_t fmix(uint64_t k) {
  k ^= k >> 33;
  k *= 0xff51afd7ed558ccdULL;
  k ^= k >> 33;
  k *= 0xc4ceb9fe1a85ec53ULL;
  k ^= k >> 33;
  return k;
}

// One 64-bit lane of the key hash; the two lanes differ by seed and mixing constants.
uint64_t lane(const uint8_t* p, size_t n, uint64_t seed, uint64_t m1, uint64_t m2) {
  uint64_t h = seed ^ (uint64_t(n) * m2);
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    uint64_t k;
    std::memcpy(&k, p + i, 8);
    h ^= rotl(k * m1, 31) * m2;
    h = rotl(h, 27) * m1 + 0x52dce729;
  }
  uint64_t tail = 0;
  for (size_t j = 0; i + j < n; ++j) tail |= uint64_t(p[i + j]) << (8 * j);
  h ^= rotl(tail * m2, 33) * m1;
  return fmix(h);
}

}  // namespace

KeyHash hash_key(const uint8_t* data, size_t size) {
  return {lane(data, size, 0x243F6A8885A308D3ULL, kPrime1, kPrime2),
          lane(data, size, 0x13198A2E03707344ULL, kPrime2, kPrime1)};
}

OffsetMap::OffsetMap(size_t memory_bytes, double load_factor) {
  const size_t n = std::max<size_t>(memory_bytes / kSlotBytes, 16);
  slots_.resize(n);
  load_factor = std::clamp(load_factor, 0.1, 0.99);
  max_entries_ = std::max<size_t>(size_t(double(n) * load_factor), 1);
}

size_t OffsetMap::index_of(const KeyHash& h) const {
  size_t i = size_t(h.hi % slots_.size());
  // Linear probing; the load factor (< 1) guarantees an empty slot exists.
  while (slots_[i].offset >= 0 && !(slots_[i].hash == h)) i = (i + 1 == slots_.size()) ? 0 : i + 1;
  return i;
}

void OffsetMap::put(const KeyHash& h, int64_t offset) {
  RUNNEL_ASSERT(offset >= 0, "offset map: negative offset");
  Slot& s = slots_[index_of(h)];
  if (s.offset < 0) {
    RUNNEL_ASSERT(size_ < max_entries_, "offset map: put beyond capacity");
    s.hash = h;
    ++size_;
  }
  s.offset = offset;
  latest_ = std::max(latest_, offset);
}

void OffsetMap::put(const uint8_t* key, size_t key_size, int64_t offset) { put(hash_key(key, key_size), offset); }

int64_t OffsetMap::get(const KeyHash& h) const { return slots_[index_of(h)].offset; }

int64_t OffsetMap::get(const uint8_t* key, size_t key_size) const { return get(hash_key(key, key_size)); }

void OffsetMap::clear() {
  std::fill(slots_.begin(), slots_.end(), Slot{});
  size_ = 0;
  latest_ = -1;
}

}  // namespace runnel::storage
