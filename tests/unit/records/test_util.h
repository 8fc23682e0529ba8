#pragma once

// Shared helpers for the records tests.

#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "broker/records/batch_builder.h"
#include "broker/records/bytes.h"
#include "broker/records/crc32c.h"

namespace runnel::records {
// Readable names for parameterised tests in gtest/ctest output.
inline void PrintTo(Compression c, std::ostream* os) { *os << int(c); }
}  // namespace runnel::records

namespace runnel::records::test {

constexpr int64_t kBaseTs = 1'700'000'000'000;

// Owns the strings the RecordInput views point at.
struct RecordSet {
  std::vector<std::string> storage;
  std::vector<RecordInput> records;
};

// "prefix" + n without operator+(const char*, string&&), which GCC 12 -O3 misreports
// (-Wrestrict false positive).
inline std::string concat(const char* prefix, int n) {
  std::string s(prefix);
  s.append(std::to_string(n));
  return s;
}

// n records with varied keys (some null), values (some null, some long), headers and
// timestamps that are not monotonic.
inline RecordSet make_records(int n) {
  RecordSet s;
  s.storage.reserve(size_t(n) * 3);
  for (int i = 0; i < n; ++i) {
    RecordInput r;
    if (i % 5 != 4) {
      s.storage.push_back(concat("key-", i % 7));
      r.key = s.storage.back();
    }
    if (i % 11 != 10) {
      std::string v;
      for (int k = 0; k <= i % 9; ++k) v += concat("value ", i) + " ";
      s.storage.push_back(std::move(v));
      r.value = s.storage.back();
    }
    if (i % 3 == 0) {
      s.storage.push_back(concat("t", i));
      r.headers = {{"trace", s.storage.back()}, {"empty", ""}, {"nil", std::nullopt}};
    }
    r.timestamp = kBaseTs + i * 3 - (i == 2 ? 5 : 0);
    s.records.push_back(std::move(r));
  }
  return s;
}

inline std::vector<uint8_t> build(const RecordSet& s, Compression c = Compression::none) {
  BatchOptions o;
  o.compression = c;
  return build_batch(o, s.records);
}

// Recomputes the CRC after a test edits a covered field on purpose.
inline void fix_crc(std::vector<uint8_t>& batch) {
  store_be32(batch.data() + 17, crc32c(batch.data() + 21, batch.size() - 21));
}

inline std::vector<uint8_t> from_hex(const std::string& hex) {
  std::vector<uint8_t> out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) out.push_back(uint8_t(std::stoi(hex.substr(i, 2), nullptr, 16)));
  return out;
}

}  // namespace runnel::records::test

#include "broker/records/compression.h"
#include "broker/records/varint.h"

namespace runnel::records::test {

// Appends one record with the given offset delta; key/value "" means a 1-byte string.
inline void append_simple_record(std::vector<uint8_t>& out, int32_t offset_delta, int64_t ts_delta,
                                 std::optional<std::string> key, std::string value) {
  std::vector<uint8_t> body{0};
  append_varlong(body, ts_delta);
  append_varint(body, offset_delta);
  if (key) {
    append_varint(body, int32_t(key->size()));
    body.insert(body.end(), key->begin(), key->end());
  } else {
    append_varint(body, -1);
  }
  append_varint(body, int32_t(value.size()));
  body.insert(body.end(), value.begin(), value.end());
  append_varint(body, 0);
  append_varint(out, int32_t(body.size()));
  out.insert(out.end(), body.begin(), body.end());
}

// Wraps arbitrary record bytes in a v2 header that claims `count` records, compressing them with
// `c` first, and sets a valid CRC: for tests whose records themselves are the problem.
inline std::vector<uint8_t> wrap_body(const std::vector<uint8_t>& body, int32_t count,
                                      Compression c = Compression::none) {
  std::vector<uint8_t> batch;
  batch.reserve(61 + body.size());
  batch.resize(61);
  if (c == Compression::none) {
    for (uint8_t b : body) batch.push_back(b);
  } else {
    compress(c, body.data(), body.size(), batch);
  }
  BatchHeader h;
  h.batch_length = int32_t(batch.size() - 12);
  h.attributes = uint16_t(c);
  h.last_offset_delta = count - 1;
  h.base_timestamp = kBaseTs;
  h.max_timestamp = kBaseTs;
  h.records_count = count;
  write_header(h, batch.data());
  fix_crc(batch);
  return batch;
}

}  // namespace runnel::records::test
