#pragma once

// Finds batch boundaries in a blob of concatenated batches (a Produce partition's records, a
// fetched range, a log segment), with the rules of Kafka's ByteBufferLogInputStream:
// a length below Kafka's minimum record overhead or an unknown magic is corruption; a batch that
// is cut off at the end of the blob simply ends the iteration (Kafka trims such tails).

#include <cstddef>
#include <cstdint>
#include <string>

#include "broker/model/result.h"

namespace runnel::records {

// Kafka's LegacyRecord.RECORD_OVERHEAD_V0: the smallest batch_length any magic allows.
inline constexpr int32_t min_batch_length = 14;

// Why the bytes at hand cannot start any batch. The text is made only when asked: Fetch, which
// splits on every read, never asks.
struct CorruptBatch {
  enum class Kind : uint8_t { length_below_minimum, unknown_magic };
  Kind kind = Kind::length_below_minimum;
  int32_t found = 0;  // the batch length or the magic
  std::string message() const;  // Kafka's text
};

// The size of the complete batch that starts at `data`; 0 when none does (empty, or a cut-off
// tail: the iteration ends there); or why the bytes are corrupt.
Result<size_t, CorruptBatch> next_batch(const uint8_t* data, size_t size);

}  // namespace runnel::records
