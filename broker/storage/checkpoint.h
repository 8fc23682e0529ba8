#pragma once

// The per-partition recovery checkpoint file "recovery-checkpoint" (FORMAT.md):
//   u32 magic 'RNRC' | u16 version 1 | u8 clean | u8 reserved | i64 recovery_point | u32 crc32c
// big-endian, 20 bytes, CRC-32C over the first 16. Replaced atomically (write tmp, fdatasync,
// rename, fsync dir). Every offset below recovery_point is in segments that were fdatasync'd and
// whose index files were written; clean means the log was closed cleanly at that offset (= LEO).

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "broker/model/result.h"
#include "broker/storage/file_util.h"
#include "broker/storage/files.h"

namespace runnel::storage {

inline constexpr const char* kCheckpointName = "recovery-checkpoint";
inline constexpr const char* kCheckpointTmpName = "recovery-checkpoint.tmp";

struct Checkpoint {
  int64_t recovery_point = 0;
  bool clean = false;
};

std::vector<uint8_t> encode_checkpoint(const Checkpoint& c);
// nullopt for a wrong size, magic, version or CRC.
std::optional<Checkpoint> decode_checkpoint(std::span<const uint8_t> bytes);

// Blocking variants for start-up (before the log serves), on a synchronous Files.
std::optional<Checkpoint> read_checkpoint_blocking(Files& files, int dir_fd);
Result<void, IoMessage> write_checkpoint_blocking(Files& files, int dir_fd, const Checkpoint& c);

}  // namespace runnel::storage
