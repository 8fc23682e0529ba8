// Hostile input: truncated, mutated and random bytes must never crash a decoder (run this under
// -DRUNNEL_SANITIZE=ON to make "never reads out of bounds" checkable), and a truncated message
// must be rejected.

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "tests/unit/protocol/message_case.h"

namespace runnel::protocol::test {
namespace {

class Robustness : public ::testing::TestWithParam<size_t> {};

TEST_P(Robustness, TruncatedMessagesAreRejected) {
  const MessageCase& c = all_message_cases()[GetParam()];
  for (int16_t v = c.min_version; v <= c.max_version; ++v) {
    std::vector<uint8_t> full = c.sample(v);
    for (size_t len = 0; len < full.size(); ++len) {
      // A fresh allocation of exactly `len` bytes so ASan catches any read past it.
      std::vector<uint8_t> prefix(full.begin(), full.begin() + static_cast<std::ptrdiff_t>(len));
      EXPECT_FALSE(c.decode_only(prefix.data(), prefix.size(), v))
          << c.name << " v" << v << " decoded from " << len << " of " << full.size() << " bytes";
    }
  }
}

TEST_P(Robustness, MutatedAndRandomBytesNeverCrash) {
  const MessageCase& c = all_message_cases()[GetParam()];
  std::mt19937 rng(static_cast<uint32_t>(GetParam() * 7919 + 1));
  for (int16_t v = c.min_version; v <= c.max_version; ++v) {
    const std::vector<uint8_t> full = c.sample(v);
    for (int round = 0; round < 64; ++round) {
      std::vector<uint8_t> m = full;
      if (!m.empty()) {
        const int flips = 1 + static_cast<int>(rng() % 4);
        for (int i = 0; i < flips; ++i) {
          // Favour the values that hit length checks: 0xff (negative/huge) and 0x00.
          const uint32_t pick = rng() % 3;
          m[rng() % m.size()] = pick == 0 ? 0xff : pick == 1 ? 0x00 : static_cast<uint8_t>(rng());
        }
        m.resize(rng() % (m.size() + 1));
      }
      (void)c.decode_only(m.data(), m.size(), v);
    }
    for (int round = 0; round < 16; ++round) {
      std::vector<uint8_t> noise(rng() % 128);
      for (uint8_t& b : noise) b = static_cast<uint8_t>(rng());
      (void)c.decode_only(noise.data(), noise.size(), v);
    }
  }
  SUCCEED();
}

std::string case_name(const ::testing::TestParamInfo<size_t>& info) {
  return all_message_cases()[info.param].name;
}

INSTANTIATE_TEST_SUITE_P(AllMessages, Robustness,
                         ::testing::Range<size_t>(0, all_message_cases().size()), case_name);

}  // namespace
}  // namespace runnel::protocol::test
