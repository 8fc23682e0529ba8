#pragma once

// "cleaner-offset-checkpoint": where the cleaner resumes (the first dirty offset), in Kafka's
// checkpoint text format:
//   0                      <- version
//   1                      <- entry count
//   <topic> <partition> <offset>
// Kafka keeps one such file per log directory for all partitions; Runnel keeps one per
// partition directory, because partitions belong to different ring threads and a shared file
// would need cross-thread writes. Replaced atomically (tmp, fdatasync, rename, fsync dir).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "broker/storage/files.h"

namespace runnel::storage {

inline constexpr const char* kCleanerCheckpointName = "cleaner-offset-checkpoint";
inline constexpr const char* kCleanerCheckpointTmpName = "cleaner-offset-checkpoint.tmp";

// `dir_name` is the partition directory's name "<topic>-<partition>".
std::string encode_cleaner_checkpoint(std::string_view dir_name, int64_t offset);
// The offset, or nullopt when the text is not a version-0 checkpoint with one valid entry.
std::optional<int64_t> decode_cleaner_checkpoint(std::string_view text);

// Blocking read for start-up; nullopt when missing or invalid.
std::optional<int64_t> read_cleaner_checkpoint_blocking(Files& files, int dir_fd);

}  // namespace runnel::storage
