#include "broker/storage/index.h"

#include <algorithm>

#include "broker/storage/big_endian.h"

namespace runnel::storage {

std::optional<OffsetEntry> OffsetIndex::lookup(uint32_t target) const {
  auto it = std::upper_bound(entries_.begin(), entries_.end(), target,
                             [](uint32_t t, const OffsetEntry& e) { return t < e.relative_offset; });
  if (it == entries_.begin()) return std::nullopt;
  return *(it - 1);
}

void OffsetIndex::truncate_to_position(uint32_t position) {
  while (!entries_.empty() && entries_.back().position >= position) entries_.pop_back();
}

std::vector<uint8_t> OffsetIndex::encode() const {
  std::vector<uint8_t> out(entries_.size() * kEntrySize);
  uint8_t* p = out.data();
  for (const OffsetEntry& e : entries_) {
    put_u32(p, e.relative_offset);
    put_u32(p + 4, e.position);
    p += kEntrySize;
  }
  return out;
}

bool OffsetIndex::decode(std::span<const uint8_t> bytes, uint64_t log_size) {
  entries_.clear();
  if (bytes.size() % kEntrySize != 0) return false;
  for (size_t i = 0; i < bytes.size(); i += kEntrySize) {
    OffsetEntry e{get_u32(&bytes[i]), get_u32(&bytes[i + 4])};
    if (e.position >= log_size) return false;
    if (!entries_.empty() && (e.relative_offset <= entries_.back().relative_offset ||
                              e.position <= entries_.back().position)) {
      return false;
    }
    entries_.push_back(e);
  }
  return true;
}

void TimeIndex::maybe_append(TimeEntry e) {
  if (!entries_.empty() && e.timestamp <= entries_.back().timestamp) return;
  entries_.push_back(e);
}

std::optional<TimeEntry> TimeIndex::lookup(int64_t ts) const {
  auto it = std::upper_bound(entries_.begin(), entries_.end(), ts,
                             [](int64_t t, const TimeEntry& e) { return t < e.timestamp; });
  if (it == entries_.begin()) return std::nullopt;
  return *(it - 1);
}

void TimeIndex::truncate_to_offset(uint32_t relative_offset) {
  while (!entries_.empty() && entries_.back().relative_offset >= relative_offset) entries_.pop_back();
}

std::vector<uint8_t> TimeIndex::encode() const {
  std::vector<uint8_t> out(entries_.size() * kEntrySize);
  uint8_t* p = out.data();
  for (const TimeEntry& e : entries_) {
    put_u64(p, uint64_t(e.timestamp));
    put_u32(p + 8, e.relative_offset);
    p += kEntrySize;
  }
  return out;
}

bool TimeIndex::decode(std::span<const uint8_t> bytes, uint64_t max_relative) {
  entries_.clear();
  if (bytes.size() % kEntrySize != 0) return false;
  for (size_t i = 0; i < bytes.size(); i += kEntrySize) {
    TimeEntry e{int64_t(get_u64(&bytes[i])), get_u32(&bytes[i + 8])};
    if (e.relative_offset >= max_relative) return false;
    if (!entries_.empty() && (e.timestamp < entries_.back().timestamp ||
                              e.relative_offset < entries_.back().relative_offset)) {
      return false;
    }
    entries_.push_back(e);
  }
  return true;
}

}  // namespace runnel::storage
