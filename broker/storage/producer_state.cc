#include "broker/storage/producer_state.h"

#include <limits>

#include "broker/model/assert.h"

namespace runnel::storage {
namespace {

bool in_sequence(int32_t last_seq, int32_t next_seq) {
  return int64_t(next_seq) == int64_t(last_seq) + 1 ||
         (next_seq == 0 && last_seq == std::numeric_limits<int32_t>::max());
}

}  // namespace

const ProducerEntry* ProducerStateTable::find(ProducerId producer_id) const {
  auto it = entries_.find(producer_id);
  return it == entries_.end() ? nullptr : &it->second;
}

ProducerCheck ProducerStateTable::check(const records::BatchHeader& h) const {
  if (!h.has_producer_id()) return ProducerCheck::ok();
  const ProducerEntry* e = find(ProducerId(h.producer_id));
  const ProducerEpoch epoch(h.producer_epoch);
  if (e == nullptr) return ProducerCheck::ok();  // unknown producer: any sequence (KIP-360)
  const int32_t first = h.base_sequence;
  const int32_t last = h.last_sequence();
  if (epoch == e->epoch) {
    for (const ProducerBatch& b : e->batches) {
      if (b.first_seq == first && b.last_seq == last) return ProducerCheck::dup(b);
    }
  }
  if (epoch < e->epoch) return ProducerCheck::failed(Errc::invalid_producer_epoch);
  if (epoch != e->epoch) {
    // A bumped epoch restarts sequences at 0, unless the old entry carried no epoch at all.
    if (first != 0 && e->epoch != ProducerEpoch(records::no_producer_epoch)) {
      return ProducerCheck::failed(Errc::out_of_order_sequence);
    }
    return ProducerCheck::ok();
  }
  if (e->batches.empty()) return ProducerCheck::ok();
  if (!in_sequence(e->last_seq(), first)) {
    return ProducerCheck::failed(Errc::out_of_order_sequence);
  }
  return ProducerCheck::ok();
}

void ProducerStateTable::update(const records::BatchHeader& h, Offset base_offset, AppendOrigin origin) {
  if (!h.has_producer_id()) return;
  ProducerEntry& e = entries_[ProducerId(h.producer_id)];
  const ProducerEpoch epoch(h.producer_epoch);
  RUNNEL_ASSERT(origin == AppendOrigin::replay || epoch >= e.epoch,
                "producer %lld: epoch went backwards from %d to %d on a client append", (long long)h.producer_id,
                int(e.epoch.value()), int(epoch.value()));
  if (h.is_control()) {
    // Transaction markers carry no sequence; they only confirm the producer's epoch.
    if (epoch > e.epoch) {
      e.epoch = epoch;
      e.batches.clear();
    }
    return;
  }
  if (epoch != e.epoch) {
    e.epoch = epoch;
    e.batches.clear();
  }
  e.batches.push_back({h.base_sequence, h.last_sequence(), base_offset,
                       Offset(base_offset.value() + h.last_offset_delta)});
  while (e.batches.size() > kBatchesToRetain) e.batches.pop_front();
}

}  // namespace runnel::storage
