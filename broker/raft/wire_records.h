#pragma once

// Raft entries as Kafka record batches (magic v2), the form they take in a FetchResponse and,
// later, in the __cluster_metadata-0 log on disk.
//
// Encoding: consecutive data entries of one epoch share a batch (at most
// kMaxRecordsPerBatch); each leader_change entry is a batch of its own, a control batch holding
// Kafka's LEADER_CHANGE control record (key: int16 version 0, int16 type 2; value: the entry's
// payload, Kafka's LeaderChangeMessage as leader_change.h encodes it).
// A batch's base offset is its first entry's offset and its partition leader epoch the entries'
// epoch, which is how Kafka's KRaft log records the epoch of every record. A data record has a
// null key and the payload as its value.
//
// Decoding is for remote (and, later, on-disk) input: every batch's length, magic and CRC-32C
// are checked, then the record framing, and the batches must be contiguous (each starts where
// the previous ended). A cut-off batch at the end of the bytes ends the input, as in Kafka (a
// fetch may be cut at max bytes). Compressed batches are accepted (a Kafka-written log may
// hold them), bounded by kMaxDecompressedBytes. Errors are values; nothing here asserts on input.

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "broker/model/result.h"
#include "broker/raft/entry.h"
#include "broker/raft/wire_error.h"

namespace runnel::raft::wire {

inline constexpr int16_t kControlRecordKeyVersion = 0;
inline constexpr int16_t kLeaderChangeControlType = 2;  // Kafka's ControlRecordType.LEADER_CHANGE
inline constexpr int16_t kKRaftVersionControlType = 5;  // Kafka's ControlRecordType.KRAFT_VERSION
inline constexpr int16_t kVotersControlType = 6;         // Kafka's ControlRecordType.KRAFT_VOTERS
inline constexpr size_t kMaxRecordsPerBatch = 512;
inline constexpr size_t kMaxDecompressedBytes = 64u << 20;

// `entries` must be contiguous (asserted: they come from our own log). `timestamp_ms` becomes
// every record's timestamp (raft entries carry none).
std::vector<uint8_t> encode_entries(std::span<const Entry> entries, int64_t timestamp_ms);

Result<std::vector<Entry>, WireError> decode_entries(std::span<const uint8_t> bytes);

}  // namespace runnel::raft::wire
