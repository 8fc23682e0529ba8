#pragma once

// The cleaner's key -> latest offset map (Kafka's SkimpyOffsetMap): a fixed-size open-addressing
// table of (128-bit key hash, offset), sized once from log.cleaner.dedupe.buffer.size so the
// memory of a cleaning is bounded no matter how many keys the log holds. Keys are not stored:
// two keys with the same 128-bit hash would be treated as one (Kafka takes the same risk with
// MD5; the chance is ~n^2 / 2^129).
//
// The cleaner fills it from the dirty section in offset order, so put() always records a newer
// offset; get() answers -1 for keys never put. Not thread-safe; owned by one cleaning job.

#include <cstddef>
#include <cstdint>
#include <vector>

namespace runnel::storage {

struct KeyHash {
  uint64_t hi = 0;
  uint64_t lo = 0;
  bool operator==(const KeyHash&) const = default;
};

KeyHash hash_key(const uint8_t* data, size_t size);

class OffsetMap {
 public:
  static constexpr size_t kSlotBytes = 24;  // 16-byte hash + 8-byte offset, like Kafka's entry

  // memory_bytes: the table's budget; load_factor: share of slots that may be used (Kafka's
  // log.cleaner.io.buffer.load.factor, 0.9) before the map counts as full.
  explicit OffsetMap(size_t memory_bytes, double load_factor = 0.9);

  size_t slots() const { return slots_.size(); }
  size_t size() const { return size_; }
  size_t max_entries() const { return max_entries_; }
  // True when `n` more distinct keys might not fit (the caller stops at a batch boundary).
  bool would_overflow(size_t n) const { return size_ + n > max_entries_; }

  // Records `offset` as the latest for the key. Precondition: !would_overflow(1) or the key is
  // already present.
  void put(const uint8_t* key, size_t key_size, int64_t offset);
  void put(const KeyHash& h, int64_t offset);
  // Latest offset put for the key, or -1.
  int64_t get(const uint8_t* key, size_t key_size) const;
  int64_t get(const KeyHash& h) const;
  // Largest offset put so far, or -1.
  int64_t latest_offset() const { return latest_; }
  void clear();

 private:
  struct Slot {
    KeyHash hash;
    int64_t offset = -1;  // -1: empty
  };
  size_t index_of(const KeyHash& h) const;

  std::vector<Slot> slots_;
  size_t size_ = 0;
  size_t max_entries_ = 0;
  int64_t latest_ = -1;
};

}  // namespace runnel::storage
