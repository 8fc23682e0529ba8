// gzip (RFC 1952) through zlib, as written by Java's GZIPOutputStream in Kafka clients.

#include <zlib.h>

#include <climits>

#include "broker/records/codecs.h"

namespace runnel::records::detail {
namespace {

constexpr int kGzipWindowBits = 16 + MAX_WBITS;  // 16: gzip wrapper, not zlib

struct Inflater {
  z_stream zs{};
  bool ok = false;
  Inflater() { ok = inflateInit2(&zs, kGzipWindowBits) == Z_OK; }
  ~Inflater() {
    if (ok) inflateEnd(&zs);
  }
};

bool starts_gzip_member(const uint8_t* p, size_t n) { return n >= 2 && p[0] == 0x1f && p[1] == 0x8b; }

}  // namespace

CodecStatus gzip_decompress(const uint8_t* in, size_t len, std::vector<uint8_t>& out, size_t max_out) {
  if (len > UINT_MAX) return CodecStatus::too_large;
  // One inflater per thread: inflateInit allocates ~40 KiB, inflateReset does not.
  thread_local Inflater inflater;
  if (!inflater.ok) return CodecStatus::corrupt;
  z_stream& zs = inflater.zs;
  inflateReset(&zs);
  zs.next_in = const_cast<Bytef*>(in);
  zs.avail_in = uInt(len);
  size_t produced = 0;
  while (true) {
    if (!grow_output(out, produced, len, max_out)) {
      out.resize(produced);
      return CodecStatus::too_large;
    }
    size_t room = std::min<size_t>(out.size() - produced, UINT_MAX);
    zs.next_out = out.data() + produced;
    zs.avail_out = uInt(room);
    int rc = inflate(&zs, Z_NO_FLUSH);
    produced += room - zs.avail_out;
    if (rc == Z_STREAM_END) {
      // Java's GZIPInputStream reads concatenated members and ignores anything else after one.
      if (starts_gzip_member(zs.next_in, zs.avail_in)) {
        inflateReset(&zs);
        continue;
      }
      break;
    }
    if (rc == Z_OK) continue;
    if (rc == Z_BUF_ERROR && zs.avail_out == 0) continue;  // needs more room
    out.resize(produced);
    return CodecStatus::corrupt;  // truncated (Z_BUF_ERROR with input exhausted) or bad data
  }
  out.resize(produced);
  return CodecStatus::ok;
}

CodecStatus gzip_compress(const uint8_t* in, size_t len, std::vector<uint8_t>& out, int level) {
  if (len > UINT_MAX) return CodecStatus::too_large;
  z_stream zs{};
  if (deflateInit2(&zs, level == 0 ? Z_DEFAULT_COMPRESSION : level, Z_DEFLATED, kGzipWindowBits, 8,
                   Z_DEFAULT_STRATEGY) != Z_OK) {
    return CodecStatus::corrupt;
  }
  size_t start = out.size();
  size_t bound = deflateBound(&zs, uLong(len)) + 32;  // + gzip header/trailer slack
  out.resize(start + bound);
  zs.next_in = const_cast<Bytef*>(in);
  zs.avail_in = uInt(len);
  zs.next_out = out.data() + start;
  zs.avail_out = uInt(bound);
  int rc = deflate(&zs, Z_FINISH);
  size_t written = bound - zs.avail_out;
  deflateEnd(&zs);
  out.resize(start + written);
  return rc == Z_STREAM_END ? CodecStatus::ok : CodecStatus::corrupt;
}

}  // namespace runnel::records::detail
