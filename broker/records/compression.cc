#include "broker/records/compression.h"

#include <algorithm>

#include "broker/records/codecs.h"

namespace runnel::records {
namespace detail {

bool grow_output(std::vector<uint8_t>& out, size_t produced, size_t len_in, size_t max_out) {
  if (produced < out.size()) return true;
  if (out.size() >= max_out) return false;
  // Start near a typical compression ratio so small batches take one pass.
  size_t want = out.empty() ? std::max<size_t>(len_in * 4, 64 * 1024) : out.size() * 2;
  out.resize(std::min(want, max_out));
  return true;
}

}  // namespace detail

CodecStatus decompress(Compression codec, const uint8_t* in, size_t len, std::vector<uint8_t>& out,
                       size_t max_out) {
  out.clear();
  switch (codec) {
    case Compression::gzip:
      return detail::gzip_decompress(in, len, out, max_out);
    case Compression::snappy:
      return detail::snappy_decompress(in, len, out, max_out);
    case Compression::lz4:
      return detail::lz4_decompress(in, len, out, max_out);
    case Compression::zstd:
      return detail::zstd_decompress(in, len, out, max_out);
    case Compression::none:
      break;
  }
  return CodecStatus::unsupported;
}

CodecStatus compress(Compression codec, const uint8_t* in, size_t len, std::vector<uint8_t>& out,
                     int level) {
  switch (codec) {
    case Compression::gzip:
      return detail::gzip_compress(in, len, out, level);
    case Compression::snappy:
      return detail::snappy_compress(in, len, out);
    case Compression::lz4:
      return detail::lz4_compress(in, len, out, level);
    case Compression::zstd:
      return detail::zstd_compress(in, len, out, level);
    case Compression::none:
      break;
  }
  return CodecStatus::unsupported;
}

const char* compression_name(Compression codec) {
  switch (codec) {
    case Compression::none:
      return "none";
    case Compression::gzip:
      return "gzip";
    case Compression::snappy:
      return "snappy";
    case Compression::lz4:
      return "lz4";
    case Compression::zstd:
      return "zstd";
  }
  return "unknown";
}

}  // namespace runnel::records
