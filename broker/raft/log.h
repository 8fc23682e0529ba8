#pragma once

// The in-memory view of the Raft log: the records from the log start offset to the log end
// offset, plus the epoch-start cache (Kafka's LeaderEpochFileCache): for every epoch that has
// records, the offset of its first record. The cache answers "where does epoch E end?", which is
// how a leader tells a follower where their logs diverge without comparing records.
//
// Invariants (asserted): offsets are contiguous; epochs never decrease along the log; the cache
// holds exactly the epochs present, each with its first offset, in increasing order.

#include <span>
#include <vector>

#include "broker/raft/entry.h"

namespace runnel::raft {

struct EpochStart {
  LeaderEpoch epoch{0};
  Offset start_offset{0};
};

// The verdict on a fetch position (Kafka's ValidOffsetAndEpoch).
struct FetchPosition {
  enum class Kind : uint8_t { valid, diverging, snapshot };
  Kind kind = Kind::valid;
  OffsetAndEpoch at;  // diverging: where the leader's epoch ends; snapshot: the snapshot id
};

class RaftLog {
 public:
  explicit RaftLog(Offset start_offset = Offset{0}, LeaderEpoch start_epoch = kNoEpoch);

  Offset start_offset() const { return start_offset_; }
  Offset end_offset() const { return Offset{start_offset_.value() + static_cast<int64_t>(entries_.size())}; }
  // The epoch of the last record (of the snapshot if the log is empty past it; 0 for nothing).
  LeaderEpoch last_epoch() const { return epochs_.empty() ? start_epoch_ : epochs_.back().epoch; }
  OffsetAndEpoch end_offset_and_epoch() const { return {end_offset(), last_epoch()}; }
  bool empty() const { return entries_.empty(); }

  const Entry& at(Offset offset) const;
  // Up to `max_entries` records from `from` (which may equal the end offset: none).
  std::span<const Entry> read(Offset from, size_t max_entries) const;
  const std::vector<EpochStart>& epochs() const { return epochs_; }

  void append(Entry entry);
  void truncate_to(Offset end_offset);
  // A snapshot at `snapshot` covers every record below its end offset: drop them. The record
  // before the end must be ours with the snapshot's epoch (asserted). The epoch-start cache keeps
  // Kafka's rule (LeaderEpochFileCache.truncateFromStart): epochs that ended below the new start
  // go, and the epoch running across it starts at the new start.
  void trim_prefix(OffsetAndEpoch snapshot);
  // Replaces the whole log with an empty one that continues a snapshot (a follower installed it).
  void reset_to(OffsetAndEpoch snapshot);
  // The snapshot the log continues: (start offset, epoch of the record before it).
  OffsetAndEpoch start_offset_and_epoch() const { return {start_offset_, start_epoch_}; }

  // Kafka's endOffsetForEpoch: the largest epoch <= `epoch` that this log has and the offset one
  // past its last record. With no such epoch, the log start (offset and snapshot epoch).
  OffsetAndEpoch end_offset_for_epoch(LeaderEpoch epoch) const;

  // Whether a fetcher whose log ends at `fetch_offset` with epoch `last_fetched_epoch` holds a
  // prefix of this log: its last record exists here with the same epoch. Kafka's
  // validateOffsetAndEpoch: below the log start, or a position the trimmed prefix can no longer
  // judge (at the start with another epoch, an epoch older than the snapshot's), the answer is the
  // snapshot the log starts after.
  FetchPosition validate_fetch(Offset fetch_offset, LeaderEpoch last_fetched_epoch) const;

  // Where a follower truncates to on a diverging-epoch answer: no further than the leader's end
  // of that epoch and no further than its own end of it.
  Offset truncation_offset(OffsetAndEpoch diverging) const;

 private:
  size_t index(Offset offset) const;

  Offset start_offset_;
  LeaderEpoch start_epoch_;
  std::vector<Entry> entries_;
  std::vector<EpochStart> epochs_;
};

}  // namespace runnel::raft
