#pragma once

// The binary form of one metadata record (FORMAT.md): a frame of record type (u16, big-endian),
// version (u8), then the fields of that version. Records are the payload of the metadata log's
// record batches and the body of snapshots, so the decoder faces bytes from disks and peers:
// it checks every length against what remains and every enum and flag against its range, and
// a malformed frame is a DecodeError, never a crash or an unbounded allocation.

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "broker/metadata/records.h"
#include "broker/model/result.h"

namespace runnel::metadata {

enum class DecodeErrc : uint8_t {
  truncated,            // the frame ends inside a field
  unknown_type,         // a record type this broker does not know
  unsupported_version,  // a version newer than this broker reads
  invalid_value,        // a field outside its range (a flag not 0/1, an unknown enum value)
  trailing_bytes,       // bytes left after the last field of the version
};

struct DecodeError {
  DecodeErrc code = DecodeErrc::truncated;
  uint16_t type = 0;    // the frame's record type, 0 when not even that was readable
  size_t position = 0;  // where in the frame the decoder stopped
};

const char* name(DecodeErrc code);

// The highest version of each record type this broker writes and reads. Encoding always uses
// it; decoding accepts any version up to it.
uint8_t current_version(RecordType type);

// Appends the frame of `record` to `out`.
void encode(const Record& record, std::vector<uint8_t>& out);
std::vector<uint8_t> encode(const Record& record);

// Decodes exactly one frame that fills `bytes`.
Result<Record, DecodeError> decode(std::span<const uint8_t> bytes);

}  // namespace runnel::metadata
