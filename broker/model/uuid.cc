#include "broker/model/uuid.h"

#include <random>

namespace runnel {

namespace {
constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

int decode_char(char c) {
  for (int i = 0; i < 64; ++i) {
    if (kAlphabet[i] == c) return i;
  }
  return -1;
}
}  // namespace

bool Uuid::is_zero() const {
  for (uint8_t b : bytes) {
    if (b != 0) return false;
  }
  return true;
}

Uuid Uuid::random() {
  static thread_local std::mt19937_64 gen{std::random_device{}()};
  Uuid u;
  // Kafka never hands out ZERO_UUID or METADATA_TOPIC_ID (1), and ids starting with '-' are
  // avoided because they confuse command-line tools; retry until none of that holds.
  do {
    for (int i = 0; i < 16; i += 8) {
      uint64_t r = gen();
      for (int j = 0; j < 8; ++j) u.bytes[i + j] = static_cast<uint8_t>(r >> (8 * j));
    }
    u.bytes[6] = static_cast<uint8_t>((u.bytes[6] & 0x0f) | 0x40);  // version 4
    u.bytes[8] = static_cast<uint8_t>((u.bytes[8] & 0x3f) | 0x80);  // IETF variant
  } while (u.is_zero() || u.to_base64()[0] == '-');
  return u;
}

std::string Uuid::to_base64() const {
  std::string out;
  out.reserve(22);
  uint32_t acc = 0;
  int bits = 0;
  for (uint8_t b : bytes) {
    acc = (acc << 8) | b;
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out.push_back(kAlphabet[(acc >> bits) & 0x3f]);
    }
  }
  if (bits > 0) out.push_back(kAlphabet[(acc << (6 - bits)) & 0x3f]);
  return out;
}

bool Uuid::from_base64(const std::string& text, Uuid& out) {
  if (text.size() != 22) return false;
  uint32_t acc = 0;
  int bits = 0;
  size_t n = 0;
  for (char c : text) {
    int v = decode_char(c);
    if (v < 0) return false;
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      if (n < 16) out.bytes[n++] = static_cast<uint8_t>(acc >> bits);
    }
  }
  return n == 16;
}

}  // namespace runnel
