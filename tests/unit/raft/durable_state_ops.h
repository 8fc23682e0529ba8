#pragma once

// A persistence request carried out on an in-memory DurableState: the fake disk of the unit
// tests' TestCluster and of the simulation. It mirrors what the broker's store does on files:
// the log is the records from the snapshot's end on, and records below the snapshot are dropped
// (on disk: ignored at the next start), whichever request or snapshot save got there first.

#include <algorithm>

#include "broker/model/assert.h"
#include "broker/raft/persistence.h"

namespace runnel::raft::test {

inline Offset durable_end(const DurableState& d) {
  return Offset{d.log_start_offset.value() + static_cast<int64_t>(d.entries.size())};
}

// The owner's snapshot file is written (temporary, fsync, rename): the log now starts after it.
inline void save_snapshot(DurableState& d, const Snapshot& s) {
  if (s.id.offset <= d.log_start_offset) return;
  int64_t drop = std::min<int64_t>(s.id.offset.value() - d.log_start_offset.value(), static_cast<int64_t>(d.entries.size()));
  d.entries.erase(d.entries.begin(), d.entries.begin() + drop);
  d.log_start_offset = s.id.offset;
  d.log_start_epoch = s.id.epoch;
  d.snapshot = s.bytes;
}

inline void apply_persist_op(DurableState& d, const PersistOp& op) {
  if (const auto* w = std::get_if<WriteQuorumState>(&op)) {
    d.quorum = w->state;
  } else if (const auto* a = std::get_if<AppendEntries>(&op)) {
    for (const auto& e : a->entries) {
      if (e.offset < d.log_start_offset) continue;  // already in the snapshot
      RUNNEL_ASSERT(e.offset == durable_end(d), "disk append at %lld, end %lld", static_cast<long long>(e.offset.value()),
                    static_cast<long long>(durable_end(d).value()));
      d.entries.push_back(e);
    }
  } else if (const auto* t = std::get_if<TruncateTo>(&op)) {
    int64_t keep = std::max<int64_t>(t->end_offset.value() - d.log_start_offset.value(), 0);
    if (keep < static_cast<int64_t>(d.entries.size())) d.entries.resize(static_cast<size_t>(keep));
  } else if (const auto* p = std::get_if<TrimPrefix>(&op)) {
    // The replica asks for a trim only once the owner's snapshot is durable.
    RUNNEL_ASSERT(p->snapshot.offset <= d.log_start_offset, "trim to %lld but the durable snapshot ends at %lld",
                  static_cast<long long>(p->snapshot.offset.value()), static_cast<long long>(d.log_start_offset.value()));
  } else if (const auto* i = std::get_if<InstallSnapshot>(&op)) {
    d.entries.clear();
    d.log_start_offset = i->snapshot.id.offset;
    d.log_start_epoch = i->snapshot.id.epoch;
    d.snapshot = i->snapshot.bytes;
  }
}

}  // namespace runnel::raft::test
