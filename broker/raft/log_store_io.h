#pragma once

// Internal to MetadataLogStore (log_store.cc, log_store_recovery.cc): the batch checks and the
// file steps that the serving path and start-up recovery share.

#include <cstdint>
#include <span>
#include <vector>

#include "broker/io/task.h"
#include "broker/model/assert.h"
#include "broker/model/result.h"
#include "broker/raft/entry.h"
#include "broker/raft/log_store.h"
#include "broker/storage/files.h"

namespace runnel::raft::log_store {

// Marks a store busy for the span of one operation: they must not overlap (the driver awaits
// each before it starts the next), since each decides where it writes from the state the
// previous one left.
class BusyScope {
 public:
  explicit BusyScope(bool& busy) : busy_(busy) {
    RUNNEL_ASSERT(!busy_, "metadata log: an operation started while another is in flight");
    busy_ = true;
  }
  ~BusyScope() { busy_ = false; }
  BusyScope(const BusyScope&) = delete;
  BusyScope& operator=(const BusyScope&) = delete;

 private:
  bool& busy_;
};

// "metadata log: <step>: <errno text>".
LogStoreError io_error(const char* step, int neg_errno);

// The entries of `batch`, exactly one whole batch from the disk, appended to `out` when it
// continues a log that ends at `next` with epoch `last_epoch`: length, magic, CRC-32C and
// record framing as wire::decode_entries checks them, base offset `next`, an epoch of at least
// max(last_epoch, 1) (the replica's log only grows in epoch). False, with `out` unchanged, if not.
bool decode_batch(std::span<const uint8_t> batch, Offset next, LeaderEpoch last_epoch, std::vector<Entry>& out);

// decode_batch over `bytes`, batch after batch from offset `next`, their locations counted from
// `position`. True only when every byte belongs to a good batch; appends to the outputs either way.
bool decode_batches(std::span<const uint8_t> bytes, uint64_t position, Offset next, LeaderEpoch last_epoch,
                    std::vector<BatchLocation>& batches, std::vector<Entry>& entries);

// Whole-buffer I/O: 0 or -errno (-EIO for a short read or a write that makes no progress).
io::Task<int> write_all(storage::Files& files, int fd, std::span<const uint8_t> bytes, uint64_t position);
io::Task<int> read_all(storage::Files& files, int fd, std::span<uint8_t> bytes, uint64_t position);

// The steps of a truncation inside a batch (log_store.h): the journal of the batches that
// replace the cut batch, made durable with its name; the segment cut at `position` and those
// batches written there, durably; the journal removed, durably.
io::Task<Result<void, LogStoreError>> write_journal(storage::Files& files, int dir_fd, std::span<const uint8_t> bytes);
io::Task<Result<void, LogStoreError>> rewrite_tail(storage::Files& files, int fd, uint64_t position,
                                                   std::span<const uint8_t> bytes);
io::Task<Result<void, LogStoreError>> remove_journal(storage::Files& files, int dir_fd);

}  // namespace runnel::raft::log_store
