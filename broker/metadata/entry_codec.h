#pragma once

// One raft entry of the metadata log holds one controller decision: all of its records, so the
// decision commits whole or not at all. A raft entry is atomic (it is written, fetched, truncated
// and committed as one), whereas a decision spread over several entries could have its first
// records committed alone: a leader that crashed with part of the proposal on disk and won the
// next election would commit that part (a topic without partitions, a fence without its leader
// moves). The controller simulation found exactly that (tests/unit/controller_sim).
//
// The entry's payload (FORMAT.md, "Entries"): one record is its plain frame, as every entry was
// before; several are an entry frame: u16 0 (no record type is 0), u8 version 0, an unsigned
// varint count (at least 2), then per record an unsigned varint length and the frame. Decoding
// is as hostile-input-safe as record_codec.h: nothing allocates beyond the bytes that remain.

#include <cstdint>
#include <span>
#include <vector>

#include "broker/metadata/image_builder.h"
#include "broker/metadata/record_codec.h"
#include "broker/metadata/records.h"
#include "broker/model/result.h"

namespace runnel::metadata {

// The payload of one entry for `records` (not empty).
std::vector<uint8_t> encode_entry(std::span<const Record> records);
// The records of one entry, in order; an error names the first frame that did not decode.
Result<std::vector<Record>, DecodeError> decode_entry(std::span<const uint8_t> bytes);

// Applies one entry's records at log offset `offset` (they share it): the offset must be above
// the image's, as for a single record. A record the replay rules refuse leaves the image as it
// was for that record, and the others still apply, as the replay does record by record; each
// refusal is returned.
std::vector<ApplyError> apply_entry(ImageBuilder& builder, std::span<const Record> records, Offset offset);

}  // namespace runnel::metadata
