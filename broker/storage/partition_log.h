#pragma once

// PartitionLog: the segmented, append-only log of one partition replica (Kafka's UnifiedLog +
// LocalLog), stored in one directory "<topic>-<partition>" as Kafka lays it out (FORMAT.md).
//
// Threading: a PartitionLog belongs to exactly one io::Ring thread; every method must be called
// from that thread. Its dependencies come in a LogEnv (env.h): on the serving path all file I/O
// goes through env.files (the ring). open() is the exception: it is start-up recovery and uses
// env.blocking (blocking syscalls).
//
// Pipeline (why appends are cheap and ordered):
//   append()  assigns offsets, picks the segment (rolling if needed), patches the batches and
//             updates the in-memory indexes synchronously, before returning its task; then one
//             writer coroutine per log issues the queued writes in order, several appends per
//             aligned O_DIRECT write (segment_appender.h). log_end_offset() advances only when
//             a write has completed, so readers never see bytes that are not on disk yet.
//   flush()   group commit: one fdatasync in flight at most; every caller whose data was written
//             before it started is covered; callers arriving meanwhile share the next one.
//   sealing   when the writer moves to a new segment, a sealer coroutine fdatasyncs the old
//             one, writes its index files and advances the recovery checkpoint.
//
// Durability: an offset <= X is durable once flush(X) returned success. After a crash,
// open() recovers every segment past the recovery checkpoint by CRC and truncates at the first
// invalid batch; nothing that flush() acknowledged can be there (FORMAT.md, "Durability").
//
// Compaction: the log cleaner (cleaner.h) reads sealed segments from a helper thread and swaps
// compacted segments into segments_ on this thread; Segment is shared by pointer, so a read in
// flight finishes on the old file. close() aborts and waits for a running cleaning.
//
// Errors (FORMAT.md, "Errors"): ENOSPC from a write makes the log refuse appends
// (Errc::out_of_space) while reads go on; the writer keeps (shares of) the bytes it could not
// write and retries with backoff, and appends are accepted again once a write succeeds.
// Any other error, and any error from an fsync, makes the log fail permanently (like Kafka
// taking the log dir offline): every later call returns Errc::log_failed.

#include <sys/uio.h>

#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "broker/io/ring.h"
#include "broker/io/task.h"
#include "broker/io/abort_source.h"
#include "broker/io/task_group.h"
#include "broker/model/byte_buffer.h"
#include "broker/model/named_type.h"
#include "broker/model/result.h"
#include "broker/model/shared_bytes.h"
#include "broker/records/stamp.h"
#include "broker/storage/cleaner_state.h"
#include "broker/storage/env.h"
#include "broker/storage/errc.h"
#include "broker/storage/file_util.h"
#include "broker/storage/log_config.h"
#include "broker/storage/offset_waiters.h"
#include "broker/storage/producer_state.h"
#include "broker/storage/segment.h"

namespace runnel::storage {

struct RecoveryStats {
  bool clean_shutdown = false;
  size_t segments_loaded = 0;
  size_t segments_recovered = 0;   // scanned by CRC
  size_t indexes_rebuilt = 0;
  int64_t bytes_truncated = 0;     // torn / corrupt tail removed
  int64_t padding_trimmed = 0;     // direct-I/O zero padding removed (not corruption)
  size_t segments_deleted = 0;     // whole segments after a corruption point
  size_t batches_scanned = 0;
};

struct AppendResult {
  Errc error = Errc::none;
  Offset base_offset{-1};
  Offset last_offset{-1};
  int64_t log_append_time_ms = -1;  // the stamped append time on a LogAppendTime topic, else -1
  Offset log_start_offset{-1};
  // True when the batch was a retry of one of the producer's last 5 batches: nothing was
  // appended and base/last offsets are the original ones (Kafka answers NONE in that case).
  bool duplicate = false;
};

struct ReadResult {
  Errc error = Errc::none;
  ByteBuffer bytes;  // whole batches, as stored
  Offset log_start_offset{-1};
  Offset log_end_offset{-1};
};

struct TimestampOffset {
  int64_t timestamp = -1;
  Offset offset{-1};
};

struct LogStats {
  uint64_t fdatasyncs = 0;   // data syncs of segment files issued by flush() and sealing
  uint64_t writes = 0;       // write/writev operations issued by the writer
  uint64_t rolls = 0;
  uint64_t out_of_space = 0; // times the writer hit ENOSPC and started refusing appends
};

class PartitionLog {
 public:
  // Blocking start-up recovery (see FORMAT.md). `dir` is created if missing. An error names the
  // step that failed, for the start-up log. `stats` may be null.
  // `env` must outlive the log. `parent_synced`: the caller created `dir` and has already
  // fsynced its parent (one fsync for many new partitions, server/partition_opener.h).
  static Result<std::unique_ptr<PartitionLog>, IoMessage> open(LogEnv& env, std::string dir, LogConfig config,
                                                               RecoveryStats* stats, bool parent_synced = false);
  ~PartitionLog();
  PartitionLog(const PartitionLog&) = delete;
  PartitionLog& operator=(const PartitionLog&) = delete;

  // Appends already-validated batches (one or more, concatenated). The log takes a share of the
  // buffer (the request frame, usually) and keeps it until the bytes are written, so the caller
  // may go away; the batches are stamped in place (records/stamp.h: base offset, leader epoch,
  // the timestamps `ts` asks for, with log-append time from env.clock). Offsets are assigned when
  // append() is called, so concurrent appends are ordered by call order. Idempotent-producer
  // batches are checked here, at assignment time: an error (Errc::out_of_order_sequence,
  // Errc::invalid_producer_epoch) appends nothing; a duplicate returns the original offsets. The task
  // completes once the bytes are written to the segment file (direct I/O: handed to the device;
  // durable only after flush()). A create-time `ts.max_timestamp` needs exactly one batch.
  //
  // `batches` is taken by reference and used (its share copied into the write queue) before
  // append() returns its task: callers pass a named object, never a temporary, since g++ 12
  // mis-destroys temporaries with destructors that live across a co_await.
  io::Task<AppendResult> append(const SharedBytes& batches, LeaderEpoch epoch, records::TimestampStamp ts = {});

  // Follower path: appends batches keeping their offsets and headers as the leader stamped them
  // (first base offset must be >= the next offset). No producer checks; producer state is still
  // updated.
  io::Task<AppendResult> append_replicated(const SharedBytes& batches);

  // Completes once every offset <= upto is fdatasync'd (upto is inclusive; passing a larger value
  // flushes everything appended so far). Errc::log_failed if the log failed, Errc::closed if it
  // closed first.
  io::Task<Result<void, Errc>> flush(Offset upto);

  // Kafka's flush.messages / flush.ms for acks=0/1 writes: starts a background flush when due.
  // append() calls it; a periodic scheduler may call it too with the current time.
  void maybe_flush(int64_t now_ms);

  // Whole batches from the one containing `start`, up to max_bytes, only batches whose last
  // offset < max_offset (the exclusive bound: high watermark). min_one: at least one batch even
  // when bigger than max_bytes (KIP-74). start > LEO or < log start -> Errc::offset_out_of_range.
  io::Task<ReadResult> read(Offset start, int32_t max_bytes, Offset max_offset, bool min_one);

  // ListOffsets by timestamp: the first record with timestamp >= ts and its timestamp.
  io::Task<std::optional<TimestampOffset>> offset_for_timestamp(int64_t ts);
  // ListOffsets MAX_TIMESTAMP: the first record holding the largest timestamp (batch level:
  // the batch's max timestamp, and the offset of the first record in it carrying it).
  io::Task<std::optional<TimestampOffset>> max_timestamp_record();
  // Cheap in-memory version: (largest batch max timestamp, last offset of that batch), or
  // (-1, -1) when empty.
  std::pair<int64_t, Offset> max_timestamp() const;

  Offset log_start_offset() const { return log_start_; }
  Offset log_end_offset() const { return leo_; }
  Offset flushed_offset() const { return flushed_; }  // exclusive, like LEO
  int64_t size_bytes() const;
  size_t segment_count() const { return segments_.size(); }
  // Failed for good (an I/O error other than ENOSPC): nothing is read or written any more.
  bool failed() const { return failed_; }
  // -errno of the error that failed the log (0 while not failed).
  int failed_errno() const { return failed_errno_; }
  // Out of space: appends are refused until a retried write succeeds; reads go on.
  bool out_of_space() const { return out_of_space_; }
  const LogStats& stats() const { return stats_; }
  const std::string& dir() const { return dir_; }
  const ProducerStateTable& producer_state() const { return producers_; }
  // `name`, a file of the partition directory written without fdatasync, must be durable
  // before any record is: it is fdatasync'd when the next segment file is created, before the
  // directory fsync that precedes the segment's first write (FORMAT.md, "new segment"). A new
  // partition's partition.metadata (server/partition_opener.h): one sync at its first append
  // instead of one at creation, as Kafka flushes that file after creating the log.
  void sync_before_next_segment(std::string name) { unsynced_files_.push_back(std::move(name)); }

  // Deletes whole sealed segments by retention.ms / retention.bytes (Kafka semantics) and
  // advances the log start offset. Never deletes the active segment.
  io::Task<void> enforce_retention(int64_t now_ms);

  // Waits until the writer, flusher and sealer are idle (tests, shutdown, before retention).
  io::Task<void> quiesce() { return drain(); }

  // Drains writes, flushes, writes index files and a clean-shutdown checkpoint, closes fds.
  io::Task<void> close() { return close_files(/*discard=*/false); }
  // Closes without the clean-shutdown work (no last flush, index files or checkpoint), then deletes
  // every file and the directory (DeleteTopics): nothing of a log about to be deleted needs to be
  // durable, and a deleted batch of topics would otherwise cost several fsyncs per partition.
  io::Task<void> remove();

 private:
  io::Task<void> close_files(bool discard);

 public:

  void update_config(LogConfig config) { config_ = config; }
  const LogConfig& config() const { return config_; }

  // Log cleaner bookkeeping (cleaner.h): checkpoint, running flag, totals. The cleaner itself
  // (LogCompactor) swaps compacted segments into segments_ on this log's ring thread.
  const CleanerState& cleaner_state() const { return cleaner_; }

 private:
  friend class LogLoader;
  friend class LogCompactor;
  PartitionLog(LogEnv& env, std::string dir, LogConfig config);

  AppendResult assign(const SharedBytes& batches, LeaderEpoch epoch, const records::TimestampStamp& ts, bool replicated);
  io::Task<AppendResult> finish_append(AppendResult r);
  std::shared_ptr<Segment> roll(Offset base_offset, int64_t now_ms);
  bool should_roll(const Segment& seg, int64_t batch_bytes, int64_t max_ts, Offset last_offset) const;
  // Why an append is refused or did not complete: a failed log, then a closed one, then a full disk.
  Errc refusal() const;
  void start_writer();
  io::Task<void> writer_loop();
  io::Task<void> wait_for_space();
  io::Task<int> open_segment_file(Segment& seg);
  void start_flusher();
  io::Task<void> flusher_loop();
  io::Task<void> sealer_loop();
  // Starts one of the three loops as a child of loops_; `running` is its flag, cleared by the
  // loop when it ends (or at once if the log is closed and the loop never starts).
  void start_loop(bool& running, io::Task<void> loop);
  io::Task<int> write_checkpoint(Offset recovery_point, bool clean);
  io::Task<int> write_file(std::string name, std::vector<uint8_t> bytes);  // + fdatasync
  io::Task<int> write_index_files(Segment& seg);
  io::Task<void> drain();
  void fail(const char* what, int res);
  std::shared_ptr<Segment> segment_for(Offset offset) const;
  io::Task<int> read_segment(std::shared_ptr<Segment> seg, Offset start, int32_t max_bytes, Offset bound,
                             bool min_one, ByteBuffer& out);
  io::Task<std::optional<TimestampOffset>> find_in_segment(std::shared_ptr<Segment> seg, int64_t ts);

  LogEnv& env_;
  Files& files_;   // env_.files
  io::Ring& ring_; // env_.ring
  std::string dir_;
  int dir_fd_ = -1;
  std::vector<std::string> unsynced_files_;  // sync_before_next_segment()
  LogConfig config_;
  std::map<Offset, std::shared_ptr<Segment>> segments_;  // by base offset
  Offset log_start_{0};
  Offset next_offset_{0};       // next offset to assign
  LeaderEpoch last_epoch_{-1};  // of the last leader append: epochs only grow (asserted)
  Offset leo_{0};               // next offset whose write completed
  Offset flushed_{0};           // every offset below is fdatasync'd
  Offset flush_target_{0};      // flusher works until flushed_ >= this
  int64_t last_flush_ms_ = 0;
  bool failed_ = false;
  int failed_errno_ = 0;
  bool out_of_space_ = false;
  std::chrono::milliseconds space_retry_{20};  // next backoff after ENOSPC
  bool closed_ = false;
  // Ends the ENOSPC backoff sleeps at close(): a stalled writer or sealer gives up at once.
  io::AbortSource space_wait_{ring_};

  struct PendingWrite {
    std::shared_ptr<Segment> segment;
    uint64_t position;
    // The stamped batches, with a share of the buffer they are in: the append that gave them
    // may have been answered already (acks=0/1, or failed while out of space).
    SharedBytes bytes;
    Offset next_offset;  // LEO once this write completed
  };
  std::deque<PendingWrite> queue_;
  bool writer_running_ = false;
  bool flusher_running_ = false;
  std::vector<std::shared_ptr<Segment>> seal_queue_;
  bool sealer_running_ = false;
  // Owns the writer, flusher and sealer loops: drain() waits until none runs and close() joins
  // them before any fd is closed (the destructor asserts that none outlived the log).
  io::TaskGroup loops_;
  OffsetWaiters leo_waiters_;
  OffsetWaiters flush_waiters_;
  ProducerStateTable producers_;
  LogStats stats_;
  CleanerState cleaner_;
};

}  // namespace runnel::storage
