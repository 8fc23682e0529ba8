#pragma once

// Helpers of the wire adapter's tests: encode and decode a generated message at a version.

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "broker/protocol/reader.h"
#include "broker/protocol/writer.h"

namespace runnel::raft::wire::test {

template <typename T>
std::vector<uint8_t> encode(const T& m, int16_t version) {
  std::vector<uint8_t> bytes;
  protocol::Writer w(bytes);
  m.encode(w, version);
  return bytes;
}

// The decoded message, or nullopt when the generated codec refuses the bytes. A decoded
// message's records point into `bytes`.
template <typename T>
std::optional<T> decode(std::span<const uint8_t> bytes, int16_t version) {
  protocol::Reader r(bytes.data(), bytes.size());
  T m;
  if (!m.decode(r, version) || !r.ok()) return std::nullopt;
  return m;
}

template <typename T>
std::optional<T> round_trip(const T& m, int16_t version, std::vector<uint8_t>& bytes) {
  bytes = encode(m, version);
  return decode<T>(bytes, version);
}

}  // namespace runnel::raft::wire::test
