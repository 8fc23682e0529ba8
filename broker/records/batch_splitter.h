#pragma once

// Finds batch boundaries in a blob of concatenated batches (a Produce partition's records, a
// fetched range, a log segment), with the rules of Kafka's ByteBufferLogInputStream:
// a length below Kafka's minimum record overhead or an unknown magic is corruption; a batch that
// is cut off at the end of the blob simply ends the iteration (Kafka trims such tails).

#include <cstddef>
#include <cstdint>
#include <string>

namespace runnel::records {

// Kafka's LegacyRecord.RECORD_OVERHEAD_V0: the smallest batch_length any magic allows.
inline constexpr int32_t min_batch_length = 14;

enum class SplitResult : uint8_t {
  batch,    // a complete batch of `batch_size` bytes starts at data
  end,      // no complete batch starts at data (empty or cut-off tail)
  corrupt,  // the length or magic cannot belong to any batch; `error` says which
};

SplitResult next_batch(const uint8_t* data, size_t size, size_t& batch_size,
                       std::string* error = nullptr);

}  // namespace runnel::records
