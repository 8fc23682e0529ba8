#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

namespace runnel::protocol {

// A Kafka `records` field. Non-owning on purpose: a Produce request's record batches are large and
// are handed to storage as-is, so decoding points into the request buffer instead of copying.
// Whoever decodes keeps that buffer alive while the message is in use; whoever encodes points
// `data` at memory that outlives the encode call.
struct RecordsRef {
  const uint8_t* data = nullptr;
  size_t size = 0;
  bool is_null = true;  // Kafka's default for records fields is null.
  // Encoder only: `data` outlives the encoded message and is sent from where it is (see
  // Writer::set_external) instead of being copied into the message buffer.
  bool external = false;

  // Equality is by content so that decoded copies compare equal to the originals.
  bool operator==(const RecordsRef& other) const {
    if (is_null != other.is_null || size != other.size) return false;
    return size == 0 || std::memcmp(data, other.data, size) == 0;
  }
};

// Bytes an encoder left out of its buffer: they go on the wire before buffer byte `at`.
struct ExternalBytes {
  size_t at = 0;
  const uint8_t* data = nullptr;
  size_t size = 0;
};

// A tagged field this codec does not know (a newer peer's addition). Kept verbatim so that a
// decode followed by an encode loses nothing.
struct RawTaggedField {
  uint32_t tag = 0;
  std::vector<uint8_t> data;
  bool operator==(const RawTaggedField&) const = default;
};

}  // namespace runnel::protocol
