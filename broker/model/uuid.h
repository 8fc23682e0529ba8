#pragma once

#include <array>
#include <cstdint>
#include <string>

namespace runnel {

// Kafka's 128-bit Uuid (topic ids, cluster ids). The all-zero value is Kafka's ZERO_UUID,
// meaning "no id".
struct Uuid {
  std::array<uint8_t, 16> bytes{};

  bool is_zero() const;
  auto operator<=>(const Uuid&) const = default;

  static Uuid random();
  // Kafka prints ids as URL-safe base64 without padding (22 characters).
  std::string to_base64() const;
  static bool from_base64(const std::string& text, Uuid& out);
};

}  // namespace runnel
