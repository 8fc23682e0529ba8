#pragma once

// A snapshot of the metadata image is records, as in Kafka: the shortest sequence that builds
// the image from nothing (snapshot_records), framed with a header and a CRC (FORMAT.md). A
// broker starts from the newest snapshot and applies the log after it; the quorum will send
// snapshots to replicas that fall behind the log start (FetchSnapshot).

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "broker/metadata/image.h"
#include "broker/metadata/records.h"
#include "broker/model/result.h"

namespace runnel::metadata {

// The records that rebuild `image`, in an order that applies: features, brokers, cluster and
// broker configs, then per topic its TopicRecord, its configs and its partitions, and last the
// producer-id state.
std::vector<Record> snapshot_records(const Image& image);

// The snapshot of `image`, whose last record was written in raft epoch `epoch` (Kafka names a
// snapshot by end offset and epoch).
std::vector<uint8_t> encode_snapshot(const Image& image, int32_t epoch);

enum class SnapshotErrc : uint8_t {
  bad_magic,            // not a Runnel metadata snapshot
  unsupported_version,  // a snapshot format newer than this broker reads
  truncated,            // shorter than its header, a record, or its CRC say
  crc_mismatch,         // damaged: the CRC32C over the contents does not match
  trailing_bytes,       // bytes between the last record and the CRC
  bad_record,           // a record frame did not decode
  apply_failed,         // the records do not build an image (a bug in whoever wrote it)
};

struct SnapshotError {
  SnapshotErrc code = SnapshotErrc::truncated;
  std::string detail;
};

const char* name(SnapshotErrc code);

struct Snapshot {
  Image image;
  int32_t epoch = 0;
};

Result<Snapshot, SnapshotError> decode_snapshot(std::span<const uint8_t> bytes);

}  // namespace runnel::metadata
