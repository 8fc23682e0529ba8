// libFuzzer target over the Kafka request decoder (broker/protocol).
//
// Input: one request frame body, i.e. what follows the 4-byte size prefix on the wire:
// RequestHeader, then the request body. As the broker does, the api key and version are read
// from the first 4 bytes to choose the header version; unknown keys and versions the API does
// not define are dropped before decoding (the broker answers those without decoding a body).
// The header and then the body are decoded and checked with check_roundtrip()
// (request_roundtrip.h). ASan/UBSan catch reads past the input and undefined behaviour.

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

#include "broker/protocol/generated/api_keys.h"
#include "broker/protocol/generated/request_header.h"
#include "tests/fuzz/request_roundtrip.h"

namespace {

using namespace runnel;

// RUNNEL_FUZZ_SEEDS_MUST_DECODE=1 turns every input the decoder rejects into a failure. The
// fuzz_request_seeds test runs the committed corpus that way, so seeds that no longer decode
// (after a protocol change) are noticed instead of silently fuzzing nothing.
const bool g_seeds_must_decode = [] {
  const char* v = std::getenv("RUNNEL_FUZZ_SEEDS_MUST_DECODE");
  return v != nullptr && v[0] == '1';
}();

[[noreturn]] void die(const char* what) {
  std::fprintf(stderr, "fuzz_request: %s\n", what);
  std::abort();
}

// Every API the codec knows must be fuzzed; a key missing from the generated dispatch table
// means gen_request_dispatch.py was not re-run after the protocol was regenerated.
void check_dispatch_table() {
  const auto& keys = fuzz::dispatched_api_keys();
  size_t missing = 0;
  for (const protocol::ApiKeyInfo& info : protocol::all_api_keys()) {
    bool found = false;
    for (int16_t k : keys) found = found || k == info.api_key;
    if (!found) {
      std::fprintf(stderr, "fuzz_request: api key %d (%s) has no dispatch entry\n", info.api_key,
                   info.name);
      ++missing;
    }
  }
  if (missing > 0) {
    std::fprintf(stderr, "fuzz_request: run tests/fuzz/gen_request_dispatch.py\n");
    std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  check_dispatch_table();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 4) {
    // libFuzzer itself always runs one empty input first.
    if (g_seeds_must_decode && size > 0) die("seed shorter than 4 bytes");
    return 0;
  }
  const int16_t api_key = int16_t((data[0] << 8) | data[1]);
  const int16_t api_version = int16_t((data[2] << 8) | data[3]);
  const protocol::ApiKeyInfo* info = protocol::find_api_key(api_key);
  if (info == nullptr || api_version < info->min_version || api_version > info->max_version) {
    if (g_seeds_must_decode) die("seed has an unknown api key or version");
    return 0;
  }
  const int16_t header_version = protocol::request_header_version(api_key, api_version);
  if (header_version < 0) std::abort();  // find_api_key() just said the key exists

  protocol::RequestHeader header;
  const long header_bytes = fuzz::check_roundtrip<protocol::RequestHeader>(
      data, size, header_version, "RequestHeader", false, &header);
  if (header_bytes < 0) {
    if (g_seeds_must_decode) die("seed has an undecodable request header");
    return 0;
  }
  if (header.request_api_key != api_key || header.request_api_version != api_version) {
    std::fprintf(stderr, "fuzz_request: header decoded as key %d v%d from bytes saying %d v%d\n",
                 header.request_api_key, header.request_api_version, api_key, api_version);
    std::abort();
  }
  switch (fuzz::roundtrip_request_body(api_key, api_version, data + header_bytes,
                                       size - size_t(header_bytes))) {
    case fuzz::BodyResult::decoded:
      break;
    case fuzz::BodyResult::rejected:
      if (g_seeds_must_decode) die("seed has an undecodable request body");
      break;
    case fuzz::BodyResult::unknown_key:
      die("no request type for a known api key");
  }
  return 0;
}
