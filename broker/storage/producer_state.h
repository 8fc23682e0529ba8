#pragma once

// Idempotent-producer state of one partition (Kafka's ProducerStateManager/ProducerAppendInfo,
// non-transactional part). Per producer id: the current epoch and the metadata of its last five
// batches, enough to recognise a retried batch and to reject gaps.
//
// Rules, in Kafka's order (client appends; replicated appends skip check()):
//   1. same epoch and (first_seq, last_seq) equal one of the last 5 batches -> duplicate
//      (the broker answers with the original offsets and appends nothing)
//   2. epoch < current epoch ....................................... invalid_producer_epoch
//   3. epoch > current epoch and first_seq != 0 ...................... out_of_order_sequence
//      (a producer id without an entry accepts any sequence: its state may have been removed
//      by retention, as Kafka allows since KIP-360)
//   4. same epoch and first_seq != last_seq + 1 (wrapping INT32_MAX -> 0) out_of_order_sequence
// Batches without a producer id (-1) bypass everything.
//
// Single-threaded, owned by its PartitionLog.

#include <cstdint>
#include <deque>
#include <unordered_map>

#include "broker/model/named_type.h"
#include "broker/records/batch_header.h"
#include "broker/storage/errc.h"

namespace runnel::storage {

struct ProducerBatch {
  int32_t first_seq = 0;
  int32_t last_seq = 0;
  Offset base_offset{0};
  Offset last_offset{0};
};

struct ProducerEntry {
  ProducerEpoch epoch{records::no_producer_epoch};
  std::deque<ProducerBatch> batches;  // oldest first, at most kBatchesToRetain
  int32_t last_seq() const { return batches.empty() ? records::no_sequence : batches.back().last_seq; }
};

struct ProducerCheck {
  enum class Kind { ok, duplicate, error };
  Kind kind = Kind::ok;
  Errc error = Errc::none;
  Offset base_offset{-1};  // duplicate: the original offsets
  Offset last_offset{-1};

  static ProducerCheck ok() { return {}; }
  static ProducerCheck failed(Errc e) { return {Kind::error, e, Offset(-1), Offset(-1)}; }
  static ProducerCheck dup(const ProducerBatch& b) {
    return {Kind::duplicate, Errc::none, b.base_offset, b.last_offset};
  }
};

// Where an appended batch comes from (Kafka's AppendOrigin). A client batch passed check()
// first; replay (recovery, replication) takes the log as it was written, where Kafka too accepts
// an older epoch with only a warning.
enum class AppendOrigin : uint8_t { client, replay };

class ProducerStateTable {
 public:
  static constexpr size_t kBatchesToRetain = 5;

  // Validates a client batch against the state; changes nothing.
  ProducerCheck check(const records::BatchHeader& h) const;
  // Records an appended batch whose first offset is `base_offset`. For a client batch the
  // producer's epoch never goes backwards (check() refused older ones): asserted.
  void update(const records::BatchHeader& h, Offset base_offset, AppendOrigin origin);

  const ProducerEntry* find(ProducerId producer_id) const;
  size_t size() const { return entries_.size(); }
  void clear() { entries_.clear(); }

 private:
  std::unordered_map<ProducerId, ProducerEntry> entries_;
};

}  // namespace runnel::storage
