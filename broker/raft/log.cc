#include "broker/raft/log.h"

#include <algorithm>

#include "broker/model/assert.h"

namespace runnel::raft {

RaftLog::RaftLog(Offset start_offset, LeaderEpoch start_epoch)
    : start_offset_(start_offset), start_epoch_(start_epoch) {
  RUNNEL_ASSERT(start_offset.value() >= 0, "log start offset %lld", static_cast<long long>(start_offset.value()));
}

size_t RaftLog::index(Offset offset) const {
  RUNNEL_ASSERT(offset >= start_offset_ && offset < end_offset(), "offset %lld outside the log [%lld, %lld)",
                static_cast<long long>(offset.value()), static_cast<long long>(start_offset_.value()),
                static_cast<long long>(end_offset().value()));
  return static_cast<size_t>(offset.value() - start_offset_.value());
}

const Entry& RaftLog::at(Offset offset) const { return entries_[index(offset)]; }

std::span<const Entry> RaftLog::read(Offset from, size_t max_entries) const {
  RUNNEL_ASSERT(from >= start_offset_ && from <= end_offset(), "read from %lld outside the log [%lld, %lld]",
                static_cast<long long>(from.value()), static_cast<long long>(start_offset_.value()),
                static_cast<long long>(end_offset().value()));
  size_t first = static_cast<size_t>(from.value() - start_offset_.value());
  size_t count = std::min(max_entries, entries_.size() - first);
  return std::span<const Entry>(entries_).subspan(first, count);
}

void RaftLog::append(Entry entry) {
  RUNNEL_ASSERT(entry.offset == end_offset(), "append at offset %lld but the log ends at %lld",
                static_cast<long long>(entry.offset.value()), static_cast<long long>(end_offset().value()));
  RUNNEL_ASSERT(entry.epoch >= last_epoch() && entry.epoch > kNoEpoch, "append of epoch %d after epoch %d",
                entry.epoch.value(), last_epoch().value());
  if (epochs_.empty() || epochs_.back().epoch != entry.epoch) epochs_.push_back({entry.epoch, entry.offset});
  entries_.push_back(std::move(entry));
}

void RaftLog::truncate_to(Offset end_offset) {
  RUNNEL_ASSERT(end_offset >= start_offset_, "truncate to %lld below the log start %lld",
                static_cast<long long>(end_offset.value()), static_cast<long long>(start_offset_.value()));
  if (end_offset >= this->end_offset()) return;
  entries_.resize(static_cast<size_t>(end_offset.value() - start_offset_.value()));
  while (!epochs_.empty() && epochs_.back().start_offset >= end_offset) epochs_.pop_back();
}

void RaftLog::trim_prefix(OffsetAndEpoch snapshot) {
  const Offset start = snapshot.offset;
  RUNNEL_ASSERT(start > start_offset_ && start <= end_offset(), "trim to %lld outside the log (%lld, %lld]",
                static_cast<long long>(start.value()), static_cast<long long>(start_offset_.value()),
                static_cast<long long>(end_offset().value()));
  const Entry& last = at(Offset{start.value() - 1});
  RUNNEL_ASSERT(last.epoch == snapshot.epoch, "trim to (%lld, %d) but the record before has epoch %d",
                static_cast<long long>(start.value()), snapshot.epoch.value(), last.epoch.value());
  entries_.erase(entries_.begin(), entries_.begin() + (start.value() - start_offset_.value()));
  start_offset_ = start;
  start_epoch_ = snapshot.epoch;
  // The epochs that start at or below the new start: all but the last go; the last (the epoch of
  // the snapshot's last record) keeps records only if the log goes on in it.
  auto first_after = std::upper_bound(epochs_.begin(), epochs_.end(), start,
                                      [](Offset o, const EpochStart& s) { return o < s.start_offset; });
  if (first_after != epochs_.begin()) {
    auto running = std::prev(first_after);
    running->start_offset = start;
    const bool has_records = first_after == epochs_.end() ? start < end_offset() : first_after->start_offset > start;
    epochs_.erase(epochs_.begin(), has_records ? running : first_after);
  }
}

void RaftLog::reset_to(OffsetAndEpoch snapshot) {
  RUNNEL_ASSERT(snapshot.offset.value() >= 0, "reset to offset %lld", static_cast<long long>(snapshot.offset.value()));
  entries_.clear();
  epochs_.clear();
  start_offset_ = snapshot.offset;
  start_epoch_ = snapshot.epoch;
}

OffsetAndEpoch RaftLog::end_offset_for_epoch(LeaderEpoch epoch) const {
  // The first cached epoch greater than the one asked for: the asked epoch (or the largest one
  // below it) ends where that one starts.
  auto after = std::upper_bound(epochs_.begin(), epochs_.end(), epoch,
                                [](LeaderEpoch e, const EpochStart& s) { return e < s.epoch; });
  if (after == epochs_.begin()) return {start_offset_, start_epoch_};
  LeaderEpoch found = std::prev(after)->epoch;
  Offset end = after == epochs_.end() ? end_offset() : after->start_offset;
  return {end, found};
}

FetchPosition RaftLog::validate_fetch(Offset fetch_offset, LeaderEpoch last_fetched_epoch) const {
  if (fetch_offset == start_offset_ && last_fetched_epoch == start_epoch_) return {};
  if (start_offset_.value() > 0 && (fetch_offset <= start_offset_ || last_fetched_epoch < start_epoch_)) {
    return {FetchPosition::Kind::snapshot, {start_offset_, start_epoch_}};
  }
  OffsetAndEpoch end = end_offset_for_epoch(last_fetched_epoch);
  if (end.epoch != last_fetched_epoch || end.offset < fetch_offset) return {FetchPosition::Kind::diverging, end};
  return {};
}

Offset RaftLog::truncation_offset(OffsetAndEpoch diverging) const {
  OffsetAndEpoch own = end_offset_for_epoch(diverging.epoch);
  return std::min({diverging.offset, own.offset, end_offset()});
}

}  // namespace runnel::raft
