#pragma once

// Per-codec entry points behind compression.h's dispatch. Internal to runnel_records.

#include <cstddef>
#include <cstdint>
#include <vector>

#include "broker/records/compression.h"

namespace runnel::records::detail {

CodecStatus gzip_decompress(const uint8_t* in, size_t len, std::vector<uint8_t>& out, size_t max_out);
CodecStatus gzip_compress(const uint8_t* in, size_t len, std::vector<uint8_t>& out, int level);
CodecStatus snappy_decompress(const uint8_t* in, size_t len, std::vector<uint8_t>& out, size_t max_out);
CodecStatus snappy_compress(const uint8_t* in, size_t len, std::vector<uint8_t>& out);
CodecStatus lz4_decompress(const uint8_t* in, size_t len, std::vector<uint8_t>& out, size_t max_out);
CodecStatus lz4_compress(const uint8_t* in, size_t len, std::vector<uint8_t>& out, int level);
CodecStatus zstd_decompress(const uint8_t* in, size_t len, std::vector<uint8_t>& out, size_t max_out);
CodecStatus zstd_compress(const uint8_t* in, size_t len, std::vector<uint8_t>& out, int level);

// Grows `out` for a streaming decoder that has filled `produced` bytes: doubles its size, never
// beyond max_out. Returns false when `out` is already max_out bytes (the caller reports
// too_large).
bool grow_output(std::vector<uint8_t>& out, size_t produced, size_t len_in, size_t max_out);

}  // namespace runnel::records::detail
