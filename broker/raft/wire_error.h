#pragma once

// Why bytes from a peer could not become a raft message. The wire adapter (wire.h,
// wire_records.h) returns these as values: a decoder of remote input never asserts, and the
// driver drops the message (a request may be answered with Kafka's INVALID_REQUEST or
// CORRUPT_MESSAGE at the handler edge).

#include <cstdint>

namespace runnel::raft::wire {

enum class WireError : uint8_t {
  malformed,               // the bytes do not decode as the message at that version
  unsupported_version,     // a version below the first one with the KRaft fields
  not_metadata_partition,  // not exactly one topic, __cluster_metadata, with partition 0
  corrupt_records,         // a batch with a bad length, magic or CRC-32C, or a broken record frame
  invalid_records,         // well-formed batches that are not raft entries (offset gaps, an unknown
                           // control record, a null value, a body that does not decompress)
};

constexpr const char* wire_error_name(WireError e) {
  switch (e) {
    case WireError::malformed: return "malformed";
    case WireError::unsupported_version: return "unsupported_version";
    case WireError::not_metadata_partition: return "not_metadata_partition";
    case WireError::corrupt_records: return "corrupt_records";
    case WireError::invalid_records: return "invalid_records";
  }
  return "?";
}

}  // namespace runnel::raft::wire
