#pragma once

// One log segment: "<base offset, 20 digits>.log" plus its .index and .timeindex (FORMAT.md).
// Plain state owned by PartitionLog; the I/O lives in the log's writer, sealer and reader. Shared
// by pointer so a read in flight keeps a segment's fd open while retention drops the segment.
//
// Sizes: `size_assigned` counts bytes handed to the writer (positions are assigned when append()
// is called), `size_written` bytes whose write completed (what readers may see), `size_synced`
// bytes covered by a completed fdatasync. Invariant: synced <= written <= assigned.
//
// Offsets are `Offset`s; the file names and the index entries (relative to the base offset)
// encode raw values, converted where they are written and read.
//
// Direct I/O (segment_appender.h): while a segment is appended to in this process, `tail` holds
// its partial last page and readers take [file_readable, size_written) from it, never from the
// file, because the writer rewrites that page with O_DIRECT. With `tail` null the whole written
// size is read from the file.

#include <cstdint>
#include <memory>
#include <string>

#include "broker/model/named_type.h"
#include "broker/storage/files.h"
#include "broker/storage/index.h"
#include "broker/storage/recent_writes.h"

namespace runnel::storage {

std::string segment_file_name(int64_t base_offset, const char* suffix);  // ".log", ".index", ...
// Parses "<20 digits><suffix>"; false for anything else.
bool parse_segment_file_name(const std::string& name, const char* suffix, int64_t& base_offset);

struct Segment {
  Segment(Files& files, Offset base) : files(files), base_offset(base) {}
  ~Segment();  // closes its fds without waiting (Files::close_detached)
  Segment(const Segment&) = delete;
  Segment& operator=(const Segment&) = delete;

  Files& files;  // the serving path's (the log's) file system
  const Offset base_offset;
  int fd = -1;                // buffered: reads, fdatasync, truncation
  int dio_fd = -1;            // the writer's O_DIRECT fd while appending (== fd where refused)
  std::unique_ptr<uint8_t[]> tail;  // kPageBytes: bytes [file_readable, size_written) while appending
  uint64_t file_readable = 0;       // page aligned; meaningful only while `tail` is set
  RecentWriteList recent;           // latest writes' buffers, for tail reads (recent_writes.h)
  bool file_created = false;  // open + directory fsync done
  bool sealed = false;        // no more appends (a newer segment exists)
  bool seal_done = false;     // sealer finished: data synced, index files written
  bool deleted = false;       // removed by retention or truncation: files unlinked
  uint64_t size_assigned = 0;
  uint64_t size_written = 0;
  uint64_t size_synced = 0;
  Offset next_offset{0};      // one past the last assigned offset (== base when empty)
  int64_t max_timestamp = -1; // largest batch max timestamp
  Offset offset_of_max_timestamp{-1};    // last offset of the batch that carried it
  int64_t rolling_timestamp = -1;        // first batch's max timestamp (segment.ms roll clock)
  int64_t created_ms = 0;
  uint64_t bytes_since_index = 0;
  OffsetIndex offset_index;
  TimeIndex time_index;

  bool empty() const { return size_assigned == 0; }
  // Index bookkeeping for one batch appended at `position` (Kafka's LogSegment.append).
  void on_batch(uint64_t position, uint64_t size, Offset last_offset, int64_t batch_max_ts,
                int32_t index_interval_bytes);
  // Final time index entry at seal / close, so the max timestamp survives a restart.
  void add_final_time_entry();
};

}  // namespace runnel::storage
