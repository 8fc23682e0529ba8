#pragma once

// The two sparse per-segment indexes, Kafka's OffsetIndex and TimeIndex (format in FORMAT.md):
//   .index      8-byte entries: relative offset u32 | position u32 (big-endian)
//   .timeindex 12-byte entries: timestamp i64 | relative offset u32 (big-endian)
// They live in memory while the segment is written and are written to disk when the segment is
// sealed and at clean shutdown. On disk they are a cache: any doubt and recovery rebuilds them
// from the log.

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

namespace runnel::storage {

struct OffsetEntry {
  uint32_t relative_offset = 0;  // last offset of the indexed batch - segment base
  uint32_t position = 0;         // file position where that batch starts
};

struct TimeEntry {
  int64_t timestamp = 0;         // largest timestamp seen in the segment up to this entry
  uint32_t relative_offset = 0;  // last offset of the batch that carried it - segment base
};

class OffsetIndex {
 public:
  static constexpr size_t kEntrySize = 8;
  void append(OffsetEntry e) { entries_.push_back(e); }
  // Largest entry with relative_offset <= target, or nullopt (then start at position 0).
  std::optional<OffsetEntry> lookup(uint32_t target) const;
  // Drops entries at or past `position` (truncation).
  void truncate_to_position(uint32_t position);
  const std::vector<OffsetEntry>& entries() const { return entries_; }
  size_t size() const { return entries_.size(); }
  void clear() { entries_.clear(); }

  std::vector<uint8_t> encode() const;
  // Parses and sanity-checks: whole entries, strictly increasing offsets and positions,
  // positions < log_size. False means "rebuild".
  bool decode(std::span<const uint8_t> bytes, uint64_t log_size);

 private:
  std::vector<OffsetEntry> entries_;
};

class TimeIndex {
 public:
  static constexpr size_t kEntrySize = 12;
  // Appends only when the timestamp grew past the last entry (Kafka's maybeAppend).
  void maybe_append(TimeEntry e);
  // Largest entry with timestamp <= ts, or nullopt.
  std::optional<TimeEntry> lookup(int64_t ts) const;
  void truncate_to_offset(uint32_t relative_offset);  // drops entries with offset >= it
  const std::vector<TimeEntry>& entries() const { return entries_; }
  size_t size() const { return entries_.size(); }
  void clear() { entries_.clear(); }

  std::vector<uint8_t> encode() const;
  // Checks: whole entries, non-decreasing timestamps and offsets, offsets < max_relative.
  bool decode(std::span<const uint8_t> bytes, uint64_t max_relative);

 private:
  std::vector<TimeEntry> entries_;
};

}  // namespace runnel::storage
