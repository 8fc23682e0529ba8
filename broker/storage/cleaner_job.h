#pragma once

// The heavy part of one cleaning, run OFF the ring thread (io::run_blocking): it reads sealed,
// immutable segments through fds the log keeps open for it, builds the offset map over the
// dirty section and writes the compacted segments as "<base>.log.cleaned" files (fdatasync'd).
// It touches nothing of the PartitionLog: its input is a snapshot taken on the ring thread and
// its output (new Segment objects, not yet visible to anyone) is swapped in on the ring thread
// by cleaner_swap.h. Blocking file access only (in.files); it checks `abort` between batches.
//
// Steps (Kafka's Cleaner.doClean):
//  1. map: walk [first_dirty, first_uncleanable) and record key -> latest offset until the map
//     is full (stopping at a batch boundary); map_end = one past the last mapped offset, or
//     first_uncleanable when everything fitted. map_end becomes the new cleaner checkpoint.
//  2. producers: the last batch of each producer id among the segments to clean.
//  3. groups: the segments below map_end, grouped so a group's input fits segment.bytes and its
//     offsets fit u32 relative to the first base (Kafka's groupSegmentsBySize); small segments
//     are merged this way.
//  4. rewrite each group into "<first base>.log.cleaned" through cleaner_rewrite.h, building the
//     new segment's indexes on the way.

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "broker/storage/files.h"
#include "broker/storage/segment.h"

namespace runnel::storage {

struct SegmentSnapshot {
  int64_t base_offset = 0;
  int64_t next_offset = 0;
  int fd = -1;        // kept open by the caller for the whole job
  uint64_t size = 0;  // immutable: the segment is sealed and written
};

struct CleanerJobInput {
  Files* files = nullptr;          // synchronous and thread-safe (the log env's `blocking`)
  Files* segment_files = nullptr;  // the log's serving Files, given to the new Segment objects
  int dir_fd = -1;
  std::vector<SegmentSnapshot> segments;  // oldest first, covering [log start, first_uncleanable)
  int64_t first_dirty = 0;
  int64_t first_uncleanable = 0;
  int64_t segment_bytes = 1 << 30;
  int32_t index_interval_bytes = 4096;
  int64_t delete_retention_ms = 0;
  int64_t now_ms = 0;
  size_t dedupe_buffer_bytes = 128u << 20;
  size_t io_buffer_bytes = 512u << 10;
  const std::atomic<bool>* abort = nullptr;
  bool lower_priority = false;  // nice +10 for the calling (helper) thread
};

struct CleanedGroup {
  std::vector<int64_t> old_bases;     // oldest first; old_bases[0] == segment->base_offset
  std::shared_ptr<Segment> segment;   // fd open on the .cleaned file, indexes built, sealed
};

struct CleanerStats {
  int64_t bytes_read = 0;
  int64_t bytes_written = 0;
  int64_t records_removed = 0;
  int64_t batches_dropped = 0;
  int64_t batches_rewritten = 0;
  int64_t map_entries = 0;
};

struct CleanerJobResult {
  int error = 0;  // -errno, or -EOVERFLOW when one batch does not fit the offset map
  std::string message;
  bool aborted = false;
  int64_t map_end = 0;
  std::vector<CleanedGroup> groups;
  CleanerStats stats;
  // Smallest delete horizon among the tombstone batches the groups kept (INT64_MAX: none).
  int64_t earliest_delete_horizon = INT64_MAX;
};

CleanerJobResult run_cleaner_job(const CleanerJobInput& in);

// Step 3 on its own: index ranges [first, last] into `segs`, for the first `count` segments.
std::vector<std::pair<size_t, size_t>> group_segments(const std::vector<SegmentSnapshot>& segs, size_t count,
                                                      int64_t max_group_bytes);

// "<base>.log.cleaned"
std::string cleaned_file_name(int64_t base);

}  // namespace runnel::storage
