#pragma once

// MetadataLogStore: the `__cluster_metadata-0` log on disk, where the driver carries out the
// replica's AppendEntries and TruncateTo requests (persistence.h).
//
// Format: Kafka's. The directory `<metadata.log.dir>/__cluster_metadata-0/` holds one segment,
// `<base offset, 20 digits>.log` (`00000000000000000000.log` until a snapshot trims the log):
// Kafka v2 record batches back to back, exactly as
// wire::encode_entries makes them (each batch's base offset is its first entry's offset, its
// partition leader epoch the entries' epoch), so Kafka's kafka-dump-log can read it. No index
// files: the replica holds the whole log in memory, and the store keeps the position of every
// batch (`batches()`), so a truncation finds its batch without a scan. Snapshots trim the log
// from the front by rolling to a new segment (trim_prefix, below).
//
// Durability. append() writes at the end of the file (buffered, no sync); sync() is an
// fdatasync, after which everything appended or truncated before it survives a power cut. The
// driver calls sync() once per group of persistence requests, then Replica::on_persisted. A
// crash before the sync keeps a prefix of the unsynced appends, cut at a batch boundary
// (open() drops a torn tail at the first batch whose length, magic, CRC-32C or offset is wrong).
//
// truncate_to() is durable when it returns (it syncs). Truncations are rare (a follower whose
// log diverged from the leader's) and syncing them keeps the recovery argument simple: the
// bytes past the cut are gone on disk before anything new is written there, so a power cut can
// never mix a stale batch with a new one at the same position (a lost page reads as zeros, which
// no batch survives). A cut inside a batch keeps that batch's first entries: the batch is read
// back, its prefix re-encoded and written where the batch began. Overwriting in place is not
// atomic (a power cut may keep the ftruncate and lose the rewrite, and with it entries that
// were durable and perhaps acknowledged), so the prefix goes first to a journal file,
// `00000000000000000000.log.truncating` (the re-encoded batches, Kafka format, complete or
// discarded by their CRC), written, fdatasync'd and its name made durable; then the segment
// is cut and the prefix written and fdatasync'd; then the journal is unlinked and the directory
// fsync'd. open() finishes a truncation it finds a valid journal for (the segment then ends
// with the prefix, whatever of the cut the crash kept) and removes a torn one (the segment was
// not touched yet). Kafka ignores the journal's name (it does not end in ".log").
//
// The segment's name is durable before anything is written into it: open() creates the file
// if it is missing and fsyncs the directory (every time, which also covers a file that an
// earlier, failed open created). The directory itself must be durable already (the driver
// creates it with storage::make_dirs_synced).
//
// Errors are values; nothing asserts on what the disk holds. The calling code's invariants are
// asserted: an append starts at end_offset(), a truncation is not above it, one operation at a
// time. After a write, truncation or sync that failed the store is `failed`: what reached the
// disk is unknown (a failed fdatasync may have dropped dirty pages), so every later call fails
// until the driver reopens the store, whose recovery finds out.
//
// Threading: one thread (the driver's ring). open() is blocking, on a synchronous storage::Files
// (BlockingFiles in the broker, FaultFiles in tests); the coroutines run on any Files (RingFiles
// on the ring; on a synchronous Files every FileOp completes inline, see inline_task.h).

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "broker/io/task.h"
#include "broker/model/result.h"
#include "broker/raft/entry.h"
#include "broker/storage/files.h"

namespace runnel::raft {

inline constexpr const char* kMetadataLogDirName = "__cluster_metadata-0";
inline constexpr const char* kMetadataSegmentFileName = "00000000000000000000.log";  // the first segment
inline constexpr const char* kMetadataTruncationFileName = "00000000000000000000.log.truncating";

struct LogStoreError {
  enum class Kind : uint8_t {
    io,       // a file operation failed; the message names the step and errno
    damaged,  // synced bytes no longer decode (a batch read back for a truncation) or a
              // quorum-state file that cannot be read (recover_durable_state)
    failed,   // an earlier write, truncation or sync failed: reopen the store to recover
  };
  Kind kind = Kind::io;
  std::string message;  // for the log, e.g. "metadata log: fdatasync segment: Input/output error"
};

// Where one batch of the segment lies.
struct BatchLocation {
  Offset base_offset{0};
  uint64_t position = 0;
  uint32_t size_bytes = 0;
};

// What open() did, for the start-up log.
struct LogRecoveryStats {
  uint64_t batches = 0;
  uint64_t bytes_truncated = 0;      // a torn or corrupt tail cut off
  bool truncation_finished = false;  // a journal of an interrupted truncate_to was applied
  bool journal_discarded = false;    // a journal that did not apply was removed (see open())
  int snapshots_damaged = 0;         // newer snapshots skipped as unreadable (recover_durable_state)
};

struct RecoveredLog;

// Kafka's segment name: the base offset in 20 digits, ".log".
std::string segment_file_name(Offset base_offset);
// The base offset a segment name stands for; nullopt for any other name.
std::optional<Offset> parse_segment_file_name(std::string_view name);

class MetadataLogStore {
 public:
  // Start-up recovery, blocking: opens (or creates) the segment in `dir_fd` (the
  // __cluster_metadata-0 directory; it must stay open while the store lives), reads it batch by
  // batch, finishes or discards an interrupted truncation, cuts a torn or corrupt tail at the
  // first bad batch and fdatasyncs that cut. Returns the store and the entries, contiguous from
  // its base offset (the segment with the largest base; older ones, left by a roll that a
  // crash interrupted, and temporary files are removed).
  static Result<RecoveredLog, LogStoreError> open(storage::Files& files, int dir_fd);

  MetadataLogStore(MetadataLogStore&& other) noexcept;
  MetadataLogStore& operator=(MetadataLogStore&& other) noexcept;
  MetadataLogStore(const MetadataLogStore&) = delete;
  MetadataLogStore& operator=(const MetadataLogStore&) = delete;
  // Does not close the fd (it has no Files): call close(). Tests drop a store after a simulated
  // power cut, which closed every fd already.
  ~MetadataLogStore() = default;

  // Writes `entries` (contiguous, the first at end_offset(); asserted) as
  // wire::encode_entries(entries, timestamp_ms) at the end of the segment. Not durable until
  // sync().
  io::Task<Result<void, LogStoreError>> append(storage::Files& files, std::span<const Entry> entries,
                                               int64_t timestamp_ms);
  // Removes every entry at or above `end_offset` (at most end_offset(); asserted), durably.
  io::Task<Result<void, LogStoreError>> truncate_to(storage::Files& files, Offset end_offset);
  // fdatasync: every earlier append is durable when it succeeds.
  io::Task<Result<void, LogStoreError>> sync(storage::Files& files);
  // Snapshots (log_store_roll.cc). Both replace the segment with a new one named by its new base
  // offset: written under a temporary name (`<base>.log.rolling`) and fdatasync'd, renamed, the
  // directory fsync'd, then the old segment unlinked and the directory fsync'd again. A power cut
  // leaves the old segment, or both (open() keeps the one with the larger base, which is
  // complete: it was synced before its name appeared), never a torn one.
  //
  // trim_prefix: a snapshot that ends at `snapshot_end` is durable, so the records below it may
  // go. The new segment starts at the batch that holds `snapshot_end` (batches are never split;
  // the loader ignores the records of that batch below the snapshot) and holds the rest of the
  // log, which is short: a snapshot is taken at the committed end. Durable when it returns,
  // together with every append before it, when it rolled; a no-op (nothing synced) when that
  // batch already starts the segment.
  io::Task<Result<void, LogStoreError>> trim_prefix(storage::Files& files, Offset snapshot_end);
  // reset_to: the log is replaced by an empty one that continues at `start` (a follower
  // installed the leader's snapshot, or recovery found the log behind the snapshot). Durable
  // when it returns.
  io::Task<Result<void, LogStoreError>> reset_to(storage::Files& files, Offset start);
  // Releases the segment's fd (without waiting: works on any Files). The store is unusable after.
  void close(storage::Files& files);

  Offset base_offset() const { return base_offset_; }
  Offset end_offset() const { return end_offset_; }
  uint64_t size_bytes() const { return size_bytes_; }
  std::span<const BatchLocation> batches() const { return batches_; }
  bool failed() const { return failed_; }

 private:
  MetadataLogStore(int dir_fd, int fd) : dir_fd_(dir_fd), fd_(fd) {}

  io::Task<Result<void, LogStoreError>> truncate_inside(storage::Files& files, size_t batch, Offset end_offset);
  // Adds the batches of `bytes`, just written at size_bytes(), to the index.
  void index_written(std::span<const uint8_t> bytes);
  // Marks the store failed and returns the error for `step`.
  Unexpected<LogStoreError> fail(const char* step, int neg_errno);
  Result<void, LogStoreError> check_usable() const;

  // Replaces the segment by one at `base` holding `tail` (batches from `base` on; see trim_prefix).
  io::Task<Result<void, LogStoreError>> roll(storage::Files& files, Offset base, std::vector<uint8_t> tail);

  int dir_fd_ = -1;
  int fd_ = -1;
  Offset base_offset_{0};  // the segment's name; its first batch starts here
  Offset end_offset_{0};
  uint64_t size_bytes_ = 0;
  std::vector<BatchLocation> batches_;
  bool failed_ = false;
  bool busy_ = false;  // an operation is in flight (they must not overlap)
};

struct RecoveredLog {
  MetadataLogStore store;
  std::vector<Entry> entries;
  LogRecoveryStats stats;
};

}  // namespace runnel::raft
