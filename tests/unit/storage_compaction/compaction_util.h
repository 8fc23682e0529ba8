#pragma once

// Helpers for compaction tests: keyed batches, decoding every record of a read, and a log
// fixture that rolls small segments.

#include <gtest/gtest.h>

#include <map>
#include <optional>
#include <string>
#include <span>
#include <vector>

#include "broker/records/batch_builder.h"
#include "broker/records/compression.h"
#include "broker/records/record_iterator.h"
#include "broker/storage/cleaner.h"
#include "test_util.h"

namespace runnel::storage::testing {

// "<prefix><n>" (g++ 12 warns falsely on string literal + std::string).
inline std::string numbered(const char* prefix, int64_t n) {
  std::string s(prefix);
  s += std::to_string(n);
  return s;
}

struct KV {
  std::string key;
  std::optional<std::string> value;  // nullopt: tombstone
  int64_t ts = 1000;
};

inline std::vector<uint8_t> keyed_batch(const std::vector<KV>& kvs, records::Compression codec = records::Compression::none,
                                        int64_t producer_id = -1, int16_t epoch = -1, int32_t seq = -1,
                                        int64_t base_offset = 0) {
  std::vector<records::RecordInput> recs;
  for (const KV& kv : kvs) {
    records::RecordInput r;
    r.key = kv.key;
    if (kv.value) r.value = *kv.value;
    r.timestamp = kv.ts;
    recs.push_back(r);
  }
  records::BatchOptions o;
  o.compression = codec;
  o.producer_id = producer_id;
  o.producer_epoch = epoch;
  o.base_sequence = seq;
  o.base_offset = base_offset;
  return records::build_batch(o, recs);
}

struct Rec {
  int64_t offset;
  std::optional<std::string> key;
  std::optional<std::string> value;
  int64_t timestamp;
  bool operator==(const Rec&) const = default;
};

inline void PrintTo(const Rec& r, std::ostream* os) {
  *os << r.offset << ":" << r.key.value_or("<null>") << "=" << r.value.value_or("<null>") << "@" << r.timestamp;
}

// Every record in a buffer of whole batches (CRC checked).
inline std::vector<Rec> records_of(std::span<const uint8_t> bytes) {
  std::vector<Rec> out;
  for (size_t pos = 0; pos < bytes.size();) {
    records::BatchHeader h;
    EXPECT_TRUE(records::parse_header(bytes.data() + pos, bytes.size() - pos, h));
    const auto size = size_t(h.size_bytes());
    EXPECT_TRUE(records::batch_crc_matches(bytes.data() + pos, size)) << "bad CRC at batch " << h.base_offset;
    const uint8_t* body = bytes.data() + pos + records::layout::header_size;
    size_t body_size = size - records::layout::header_size;
    std::vector<uint8_t> plain;
    if (h.compression() != records::Compression::none) {
      EXPECT_EQ(records::decompress(h.compression(), body, body_size, plain, 1 << 26), records::CodecStatus::ok);
      body = plain.data();
      body_size = plain.size();
    }
    records::RecordReader reader(body, body_size, h.records_count);
    records::RecordView r;
    while (reader.next(r)) {
      Rec rec;
      rec.offset = h.base_offset + r.offset_delta;
      if (!r.key.is_null()) rec.key = std::string(r.key.str());
      if (!r.value.is_null()) rec.value = std::string(r.value.str());
      rec.timestamp = h.base_timestamp + r.timestamp_delta;
      out.push_back(rec);
    }
    EXPECT_EQ(reader.error(), records::RecordError::none);
    pos += size;
  }
  return out;
}

struct CompactionFixture : LogFixture {
  CleanerConfig cleaner;

  void SetUp() override {
    config.cleanup_compact = true;
    config.cleanup_delete = false;
    config.min_cleanable_dirty_ratio = 0.0;
    config.index_interval_bytes = 64;
    cleaner.backoff_ms = 10;
  }
  void TearDown() override {
    set_cleaner_stop_point(CleanerCrashPoint::none);
    LogFixture::TearDown();
  }
  // Appends one batch per KV, rolling every `per_segment` batches (segment.bytes is sized so).
  void write(const std::vector<KV>& kvs) {
    for (const KV& kv : kvs) {
      auto b = keyed_batch({kv});
      ASSERT_EQ(append(b).error, Errc::none);
    }
    (void)ring.block_on(log->flush(Offset(INT64_MAX - 1)));
    ring.block_on(log->quiesce());
  }
  // Every record from offset 0 to the end, following the log like a consumer.
  std::vector<Rec> read_all() {
    std::vector<Rec> out;
    int64_t next = log->log_start_offset().value();
    while (next < log->log_end_offset().value()) {
      ReadResult r = read(next);
      EXPECT_EQ(r.error, Errc::none);
      if (r.bytes.empty()) break;
      auto hs = batches_of(r.bytes);
      for (const Rec& rec : records_of(r.bytes)) out.push_back(rec);
      next = hs.back().last_offset() + 1;
    }
    return out;
  }
  CleanResult clean(int64_t now_ms = 10'000'000) { return ring.block_on(clean_log(*log, cleaner, now_ms)); }
};

// key -> latest value (nullopt for a tombstone) from a history.
inline std::map<std::string, std::optional<std::string>> latest_of(const std::vector<KV>& kvs) {
  std::map<std::string, std::optional<std::string>> m;
  for (const KV& kv : kvs) m[kv.key] = kv.value;
  return m;
}

// n updates of `keys` keys ("k0".."k<keys-1>"), one record per batch, value "v<i>", ts 1000 + i.
inline std::vector<KV> history(int n, int keys) {
  std::vector<KV> h;
  for (int i = 0; i < n; ++i) h.push_back({numbered("k", i % keys), numbered("v", i), 1000 + i});
  return h;
}

// What a correct cleaning of `h` keeps: below `uncleanable` the last occurrence of each key,
// from there on everything.
inline std::vector<Rec> expected_after(const std::vector<KV>& h, int64_t uncleanable) {
  std::map<std::string, int64_t> last;
  for (int64_t o = 0; o < uncleanable; ++o) last[h[size_t(o)].key] = o;
  std::vector<Rec> out;
  for (int64_t o = 0; o < int64_t(h.size()); ++o) {
    if (o < uncleanable && last[h[size_t(o)].key] != o) continue;
    out.push_back({o, h[size_t(o)].key, h[size_t(o)].value, h[size_t(o)].ts});
  }
  return out;
}

}  // namespace runnel::storage::testing
