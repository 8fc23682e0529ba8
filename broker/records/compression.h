#pragma once

// Codecs of the record batch body, byte-compatible with what Kafka clients send:
//   gzip   - RFC 1952 (concatenated members accepted, as Java's GZIPInputStream does)
//   snappy - Kafka Java's xerial framing ("\x82SNAPPY\0", two int32 versions, then blocks of
//            int32 length + raw snappy); anything without that magic is read as one raw snappy
//            block, which some non-Java clients send.
//   lz4    - the LZ4 frame format with independent blocks (Kafka's KafkaLZ4BlockOutputStream)
//   zstd   - zstd frames, streamed, so frames without a content size are fine
//
// Decompression never writes more than `max_out` bytes: inputs that expand beyond that are
// rejected with too_large before the memory is committed (decompression-bomb guard).
// Thread-safe: no shared state.

#include <cstddef>
#include <cstdint>
#include <vector>

#include "broker/records/batch_header.h"

namespace runnel::records {

enum class CodecStatus : uint8_t {
  ok,
  corrupt,      // the input is not a valid stream of this codec (or is truncated)
  too_large,    // output would exceed max_out
  unsupported,  // Compression::none or an unknown codec passed in
};

// Replaces the contents of `out` with the decompressed bytes. `out`'s capacity is reused, so a
// caller-owned buffer makes repeated calls allocation-free once it has grown.
CodecStatus decompress(Compression codec, const uint8_t* in, size_t len, std::vector<uint8_t>& out,
                       size_t max_out);

// Appends the compressed form of `in` to `out`. `level` 0 means the codec's default.
CodecStatus compress(Compression codec, const uint8_t* in, size_t len, std::vector<uint8_t>& out,
                     int level = 0);

const char* compression_name(Compression codec);

}  // namespace runnel::records
