#pragma once

// Shared by the MetadataLogStore tests: a metadata directory on storage::FaultFiles and entries.

#include <fcntl.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "broker/raft/entry.h"
#include "broker/raft/inline_task.h"
#include "broker/raft/log_store.h"
#include "broker/storage/fault_files.h"
#include "broker/storage/file_util.h"

namespace runnel::raft::testing {

inline constexpr const char* kMetaDir = "/meta/__cluster_metadata-0";
inline const std::string kSegmentPath = std::string(kMetaDir) + "/" + kMetadataSegmentFileName;
inline const std::string kJournalPath = std::string(kMetaDir) + "/" + kMetadataTruncationFileName;

// Creates the directory durably (as the driver does) and opens it; -errno on failure.
inline int make_metadata_dir(storage::FaultFiles& fs) {
  if (int res = storage::make_dirs_synced(fs, kMetaDir); res < 0) return res;
  return fs.open(AT_FDCWD, kMetaDir, O_RDONLY | O_DIRECTORY | O_CLOEXEC).run();
}

inline int open_metadata_dir(storage::FaultFiles& fs) {
  return fs.open(AT_FDCWD, kMetaDir, O_RDONLY | O_DIRECTORY | O_CLOEXEC).run();
}

// A fresh metadata directory on a FaultFiles disk.
struct MetadataDirTest : ::testing::Test {
  storage::ManualClock clock;
  storage::FaultFiles fs{clock};
  int dir = -1;

  void SetUp() override {
    dir = make_metadata_dir(fs);
    ASSERT_GE(dir, 0);
  }
};

// `count` entries from `first` in `epoch`, payloads naming their offset and `tag`.
inline std::vector<Entry> data_entries(int64_t first, size_t count, int32_t epoch, const std::string& tag = "v") {
  std::vector<Entry> out;
  for (size_t i = 0; i < count; ++i) {
    const int64_t offset = first + int64_t(i);
    out.push_back(Entry{Offset{offset}, LeaderEpoch{epoch}, EntryType::data, tag + std::to_string(offset)});
  }
  return out;
}

inline std::vector<Entry> concat(std::vector<Entry> a, const std::vector<Entry>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

inline Result<void, LogStoreError> append(MetadataLogStore& store, storage::Files& fs, const std::vector<Entry>& entries,
                                          int64_t timestamp_ms = 1000) {
  return run_inline(store.append(fs, entries, timestamp_ms));
}
inline Result<void, LogStoreError> truncate_to(MetadataLogStore& store, storage::Files& fs, int64_t offset) {
  return run_inline(store.truncate_to(fs, Offset{offset}));
}
inline Result<void, LogStoreError> sync(MetadataLogStore& store, storage::Files& fs) {
  return run_inline(store.sync(fs));
}

}  // namespace runnel::raft::testing
