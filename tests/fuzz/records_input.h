#pragma once

// The byte layout of a fuzz_records input, shared by the fuzzer and the seed generator.
//
//   byte 0     Produce request version (taken modulo 12, so every byte is a valid version)
//   byte 1     flags, below
//   bytes 2..  the records blob of one Produce partition, as a client sends it
//
// A mutated batch almost never has a valid CRC-32C, and a mutated compressed body almost never
// decompresses, so without help the fuzzer would spend its time on the first two checks of
// the validator. The `fix_*` and `recompress` flags let the input ask the harness to repair
// those fields first, so mutations reach the record parser and the per-record checks. Inputs
// without them still exercise the raw CRC / codec paths.

#include <cstddef>
#include <cstdint>
#include <vector>

#include "broker/records/validate.h"

namespace runnel::fuzz {

namespace flag {
// The batch bytes after the header are plain records; compress them with the codec named in
// the batch attributes before validating (no-op for codec none or an unknown id).
inline constexpr uint8_t recompress = 0x01;
// Set batch_length to cover the rest of the blob (after recompression).
inline constexpr uint8_t fix_length = 0x02;
// Recompute the CRC-32C of the first batch (after the two repairs above).
inline constexpr uint8_t fix_crc = 0x04;
inline constexpr uint8_t compacted_topic = 0x08;
inline constexpr uint8_t log_append_time_topic = 0x10;
// now = kNowMs with a one-hour window either side, instead of unbounded timestamps.
inline constexpr uint8_t bounded_timestamps = 0x20;
// max.message.bytes and the decompression cap at 4 KiB, to reach the size limits cheaply.
inline constexpr uint8_t small_limits = 0x40;
}  // namespace flag

inline constexpr int64_t kNowMs = 1'700'000'000'000;
inline constexpr int64_t kWindowMs = 3'600'000;
inline constexpr size_t kSmallLimitBytes = 4096;

struct RecordsCase {
  int16_t produce_version = 0;
  uint8_t flags = 0;
  records::ValidationLimits limits;
  std::vector<uint8_t> blob;  // after the requested repairs
};

// Decodes a fuzz input; false when it is shorter than the two control bytes.
bool parse_records_input(const uint8_t* data, size_t size, RecordsCase& out);

// The inverse, for seeds: the control bytes followed by `blob` as given (no repairs applied).
std::vector<uint8_t> make_records_input(int16_t produce_version, uint8_t flags,
                                        const std::vector<uint8_t>& blob);

}  // namespace runnel::fuzz
