#pragma once

// The invariant fuzz_request checks for every request type: whatever the decoder accepts, the
// encoder writes back in a form that decodes to the same message and re-encodes to the same
// bytes (encode ∘ decode is a fixed point after one step). The original input need not come
// back byte-for-byte: the decoder accepts non-minimal varints and tagged fields in any order.

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <utility>
#include <vector>

#include "broker/protocol/reader.h"
#include "broker/protocol/writer.h"

namespace runnel::fuzz {

[[noreturn]] inline void roundtrip_failed(const char* name, int16_t version, const char* what,
                                          const std::vector<uint8_t>& encoded) {
  std::fprintf(stderr, "fuzz_request: %s v%d: %s; re-encoded (%zu bytes):", name, version, what,
               encoded.size());
  for (size_t i = 0; i < encoded.size() && i < 512; ++i) std::fprintf(stderr, " %02x", encoded[i]);
  std::fputc('\n', stderr);
  std::abort();
}

// Returns how many bytes of `data` the message used, or -1 when the decoder rejected it.
// `has_float`: the message holds float64 fields, where NaN != NaN makes a structural
// comparison meaningless, so only the bytes are compared.
template <typename M>
long check_roundtrip(const uint8_t* data, size_t size, int16_t version, const char* name,
                     bool has_float, M* decoded = nullptr) {
  protocol::Reader r(data, size);
  M first;
  if (!first.decode(r, version)) return -1;
  std::vector<uint8_t> encoded;
  if (!r.ok() || r.position() > size) {
    roundtrip_failed(name, version, "decode returned true on a failed reader", encoded);
  }

  protocol::Writer w(encoded);
  first.encode(w, version);
  if (first.encoded_size(version) != encoded.size()) {
    roundtrip_failed(name, version, "encoded_size() disagrees with encode()", encoded);
  }

  protocol::Reader r2(encoded.data(), encoded.size());
  M second;
  if (!second.decode(r2, version)) {
    roundtrip_failed(name, version, "re-encoded bytes do not decode", encoded);
  }
  if (r2.remaining() != 0) {
    roundtrip_failed(name, version, "re-encoded bytes not fully consumed", encoded);
  }
  if (!has_float && !(second == first)) {
    roundtrip_failed(name, version, "decode(encode(m)) != m", encoded);
  }
  std::vector<uint8_t> again;
  protocol::Writer w2(again);
  second.encode(w2, version);
  if (again != encoded) {
    roundtrip_failed(name, version, "second encode differs from the first", encoded);
  }
  if (decoded != nullptr) *decoded = std::move(first);
  return long(r.position());
}

enum class BodyResult { decoded, rejected, unknown_key };

// Decodes the body of a request of `api_key` at `version` and checks the round trip
// (generated: request_dispatch.cc).
BodyResult roundtrip_request_body(int16_t api_key, int16_t version, const uint8_t* data, size_t size);

// The api keys roundtrip_request_body() knows, ascending (to detect a stale dispatch table).
const std::vector<int16_t>& dispatched_api_keys();

}  // namespace runnel::fuzz
