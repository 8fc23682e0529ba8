#include <gtest/gtest.h>

#include <set>
#include <string>

#include "broker/storage/offset_map.h"

namespace runnel::storage {
namespace {

// "<prefix><n>" (g++ 12 warns falsely on string literal + std::string).
std::string numbered(const char* prefix, int64_t n) {
  std::string s(prefix);
  s += std::to_string(n);
  return s;
}

const uint8_t* u8(const std::string& s) { return reinterpret_cast<const uint8_t*>(s.data()); }

TEST(OffsetMap, LatestOffsetPerKey) {
  OffsetMap m(1 << 16);
  m.put(u8("a"), 1, 0);
  m.put(u8("b"), 1, 1);
  m.put(u8("a"), 1, 5);
  EXPECT_EQ(m.get(u8("a"), 1), 5);
  EXPECT_EQ(m.get(u8("b"), 1), 1);
  EXPECT_EQ(m.get(u8("c"), 1), -1);
  EXPECT_EQ(m.size(), 2u);
  EXPECT_EQ(m.latest_offset(), 5);
}

TEST(OffsetMap, EmptyKeyIsAKey) {
  OffsetMap m(1 << 16);
  m.put(u8(""), 0, 7);
  EXPECT_EQ(m.get(u8(""), 0), 7);
  EXPECT_EQ(m.get(u8("x"), 1), -1);
}

TEST(OffsetMap, MemoryBoundsCapacity) {
  OffsetMap m(24 * 100, 0.9);  // 100 slots
  EXPECT_EQ(m.slots(), 100u);
  EXPECT_EQ(m.max_entries(), 90u);
  for (int i = 0; i < 90; ++i) {
    ASSERT_FALSE(m.would_overflow(1));
    std::string k = numbered("key", i);
    m.put(u8(k), k.size(), i);
  }
  EXPECT_TRUE(m.would_overflow(1));
  // Overwriting an existing key is still allowed when full.
  m.put(u8("key3"), 4, 1000);
  EXPECT_EQ(m.get(u8("key3"), 4), 1000);
  for (int i = 0; i < 90; ++i) {
    std::string k = numbered("key", i);
    EXPECT_EQ(m.get(u8(k), k.size()), i == 3 ? 1000 : i);
  }
  m.clear();
  EXPECT_EQ(m.size(), 0u);
  EXPECT_EQ(m.get(u8("key1"), 4), -1);
  EXPECT_EQ(m.latest_offset(), -1);
}

TEST(OffsetMap, HashesDifferForSimilarKeys) {
  std::set<std::pair<uint64_t, uint64_t>> seen;
  for (int i = 0; i < 100000; ++i) {
    std::string k = std::to_string(i);
    KeyHash h = hash_key(u8(k), k.size());
    EXPECT_TRUE(seen.insert({h.hi, h.lo}).second) << k;
  }
  // Length matters: "a" vs "a\0".
  std::string a("a"), a0("a\0", 2);
  EXPECT_FALSE(hash_key(u8(a), 1) == hash_key(u8(a0), 2));
}

TEST(OffsetMap, ManyKeysWithCollisionsInBuckets) {
  OffsetMap m(24 * 4096);
  for (int i = 0; i < 3000; ++i) {
    std::string k = numbered("k", i);
    m.put(u8(k), k.size(), i);
  }
  for (int i = 0; i < 3000; ++i) {
    std::string k = numbered("k", i);
    ASSERT_EQ(m.get(u8(k), k.size()), i);
  }
}

}  // namespace
}  // namespace runnel::storage
