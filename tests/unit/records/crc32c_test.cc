#include "broker/records/crc32c.h"

#include <gtest/gtest.h>

#include <cstring>
#include <random>
#include <vector>

namespace runnel::records {
namespace {

uint32_t crc_of(const std::vector<uint8_t>& v) { return crc32c(v.data(), v.size()); }

// Vectors from RFC 3720 (iSCSI) appendix B.4 and the common "123456789" check value.
TEST(Crc32c, KnownVectors) {
  const char* check = "123456789";
  EXPECT_EQ(crc32c(reinterpret_cast<const uint8_t*>(check), 9), 0xE3069283u);
  EXPECT_EQ(crc_of(std::vector<uint8_t>(32, 0x00)), 0x8A9136AAu);
  EXPECT_EQ(crc_of(std::vector<uint8_t>(32, 0xFF)), 0x62A8AB43u);
  std::vector<uint8_t> up(32);
  std::vector<uint8_t> down(32);
  for (int i = 0; i < 32; ++i) {
    up[i] = uint8_t(i);
    down[i] = uint8_t(31 - i);
  }
  EXPECT_EQ(crc_of(up), 0x46DD794Eu);
  EXPECT_EQ(crc_of(down), 0x113FDB5Cu);
  EXPECT_EQ(crc32c(nullptr, 0), 0u);
}

TEST(Crc32c, SoftwareMatchesKnownVectors) {
  const char* check = "123456789";
  EXPECT_EQ(crc32c_software(reinterpret_cast<const uint8_t*>(check), 9), 0xE3069283u);
  std::vector<uint8_t> ff(32, 0xFF);
  EXPECT_EQ(crc32c_software(ff.data(), ff.size()), 0x62A8AB43u);
}

// Every length 0..300 at every alignment 0..7: the word loops and the byte tails must agree.
TEST(Crc32c, HardwareAndSoftwareAgree) {
  std::mt19937 rng(42);
  std::vector<uint8_t> buf(400);
  for (auto& b : buf) b = uint8_t(rng());
  for (size_t align = 0; align < 8; ++align) {
    for (size_t len = 0; len <= 300; ++len) {
      ASSERT_EQ(crc32c(buf.data() + align, len), crc32c_software(buf.data() + align, len))
          << "align " << align << " len " << len;
    }
  }
}

TEST(Crc32c, HardwareAndSoftwareAgreeAcrossInterleavedLanes) {
  // The hardware path splits long inputs into three lanes of 256 or 4096 bytes and joins them:
  // lengths around every boundary of those splits.
  std::mt19937 rng(7);
  std::vector<uint8_t> buf(3 * 4096 * 3 + 3 * 256 * 2 + 64);
  for (auto& b : buf) b = uint8_t(rng());
  for (size_t base : {size_t{768}, size_t{1536}, size_t{12288}, size_t{24576}, size_t{24576 + 768}}) {
    for (size_t len = base - 9; len <= base + 9 && len + 7 <= buf.size(); ++len) {
      for (size_t align : {size_t{0}, size_t{3}, size_t{7}}) {
        ASSERT_EQ(crc32c(buf.data() + align, len, 0x1234u), crc32c_software(buf.data() + align, len, 0x1234u))
            << "align " << align << " len " << len;
      }
    }
  }
  ASSERT_EQ(crc32c(buf.data(), buf.size()), crc32c_software(buf.data(), buf.size()));
}

TEST(Crc32c, Chains) {
  const char* text = "The quick brown fox jumps over the lazy dog";
  auto* p = reinterpret_cast<const uint8_t*>(text);
  size_t n = std::strlen(text);
  uint32_t whole = crc32c(p, n);
  for (size_t cut = 0; cut <= n; ++cut) {
    EXPECT_EQ(crc32c(p + cut, n - cut, crc32c(p, cut)), whole) << cut;
    EXPECT_EQ(crc32c_software(p + cut, n - cut, crc32c_software(p, cut)), whole) << cut;
  }
  EXPECT_EQ(whole, 0x22620404u);
}

TEST(Crc32c, ReportsHardware) {
#if defined(__x86_64__)
  EXPECT_EQ(crc32c_hardware_available(), bool(__builtin_cpu_supports("sse4.2")));
#else
  EXPECT_FALSE(crc32c_hardware_available());
#endif
}

}  // namespace
}  // namespace runnel::records
