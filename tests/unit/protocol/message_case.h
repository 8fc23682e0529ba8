#pragma once

// One entry per generated message type, so tests can loop over every message and version without
// naming them. The per-message `fill` functions and the table come from codegen/test_emit.py
// (tests/unit/protocol/generated/).

#include <cstdint>
#include <string>
#include <vector>

#include "broker/model/uuid.h"
#include "broker/protocol/reader.h"
#include "broker/protocol/types.h"
#include "broker/protocol/writer.h"

namespace runnel::protocol::test {

// Deterministic non-default values. Each call yields a fresh value so that a swapped pair of
// fields shows up as a mismatch. Ranges avoid every "default" used by the schemas (-1, 0, 1, 3,
// 2000, 60000, INT32_MAX, INT32_MIN, ...).
struct Filler {
  uint32_t k = 0;

  int8_t int8() { return static_cast<int8_t>(10 + (++k % 100)); }
  int16_t int16() { return static_cast<int16_t>(200 + (++k % 10000)); }
  uint16_t uint16() { return static_cast<uint16_t>(200 + (++k % 10000)); }
  int32_t int32() { return static_cast<int32_t>(100000 + ++k); }
  uint32_t uint32() { return 100000u + ++k; }
  int64_t int64() { return 10000000000LL + ++k; }
  double float64() { return 0.5 + ++k; }
  std::string str() { return "s" + std::to_string(++k); }
  std::vector<uint8_t> bytes() { return {static_cast<uint8_t>(++k), 0xab, 0xcd}; }
  Uuid uuid() {
    Uuid u;
    ++k;
    for (size_t i = 0; i < u.bytes.size(); ++i) u.bytes[i] = static_cast<uint8_t>(k * 7 + i + 1);
    return u;
  }
  RecordsRef records() {
    static const uint8_t kBytes[] = {0, 0, 0, 0, 0, 0, 0, 42, 0, 0, 0, 5, 1, 2, 3, 4, 5};
    return RecordsRef{kBytes, sizeof(kBytes), false};
  }
};

struct MessageCase {
  std::string name;  // schema name, e.g. "ProduceRequest"
  std::string kind;  // request | response | header | data
  int16_t min_version;
  int16_t max_version;
  // Encodes the filled message.
  std::vector<uint8_t> (*sample)(int16_t version);
  // encoded_size() of the filled message.
  size_t (*sample_size)(int16_t version);
  // Fill, encode, decode: true when the decoded message == the filled one.
  bool (*decode_equals_sample)(int16_t version);
  // Decodes `data` (which must be consumed exactly) and encodes the result into `out`.
  bool (*reencode)(const std::vector<uint8_t>& data, int16_t version, std::vector<uint8_t>& out);
  // Decodes arbitrary bytes; returns the decode result (used by robustness tests).
  bool (*decode_only)(const uint8_t* data, size_t size, int16_t version);
};

template <typename M, void (*Fill)(M&, int16_t, Filler&)>
MessageCase make_case(const char* name, const char* kind) {
  MessageCase c;
  c.name = name;
  c.kind = kind;
  c.min_version = M::kMinVersion;
  c.max_version = M::kMaxVersion;
  c.sample = [](int16_t v) {
    M m;
    Filler f;
    Fill(m, v, f);
    std::vector<uint8_t> out;
    Writer w(out);
    m.encode(w, v);
    return out;
  };
  c.sample_size = [](int16_t v) {
    M m;
    Filler f;
    Fill(m, v, f);
    return m.encoded_size(v);
  };
  c.decode_equals_sample = [](int16_t v) {
    M m;
    Filler f;
    Fill(m, v, f);
    std::vector<uint8_t> bytes;
    Writer w(bytes);
    m.encode(w, v);
    Reader r(bytes.data(), bytes.size());
    M back;
    return back.decode(r, v) && r.remaining() == 0 && back == m;
  };
  c.reencode = [](const std::vector<uint8_t>& data, int16_t v, std::vector<uint8_t>& out) {
    Reader r(data.data(), data.size());
    M m;
    if (!m.decode(r, v) || r.remaining() != 0) return false;
    Writer w(out);
    m.encode(w, v);
    return true;
  };
  c.decode_only = [](const uint8_t* data, size_t size, int16_t v) {
    Reader r(data, size);
    M m;
    return m.decode(r, v);
  };
  return c;
}

// Every generated message (generated/all_cases.cc).
const std::vector<MessageCase>& all_message_cases();

}  // namespace runnel::protocol::test
