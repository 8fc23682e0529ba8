// Snappy as Kafka clients send it. The Java client wraps raw snappy blocks in xerial
// snappy-java's stream framing:
//   magic "\x82SNAPPY\0" (8) | version int32 | min compatible version int32 |
//   repeated: block length int32 (big-endian) | raw snappy block
// Other clients may send one raw snappy block with no framing; both are accepted.

#include <snappy.h>

#include <algorithm>
#include <cstring>

#include "broker/records/bytes.h"
#include "broker/records/codecs.h"

namespace runnel::records::detail {
namespace {

constexpr uint8_t kXerialMagic[8] = {0x82, 'S', 'N', 'A', 'P', 'P', 'Y', 0};
constexpr size_t kXerialHeaderSize = 16;
constexpr size_t kXerialBlockSize = 32 * 1024;  // snappy-java's default block size

bool is_xerial(const uint8_t* in, size_t len) {
  return len >= kXerialHeaderSize && std::memcmp(in, kXerialMagic, sizeof kXerialMagic) == 0;
}

// Appends one raw block's output to `out`.
CodecStatus append_raw(const uint8_t* in, size_t len, std::vector<uint8_t>& out, size_t max_out) {
  size_t n = 0;
  const char* src = reinterpret_cast<const char*>(in);
  if (!snappy::GetUncompressedLength(src, len, &n)) return CodecStatus::corrupt;
  // The length prefix is checked before any memory is committed to it.
  if (n > max_out - out.size()) return CodecStatus::too_large;
  size_t at = out.size();
  out.resize(at + n);
  if (!snappy::RawUncompress(src, len, reinterpret_cast<char*>(out.data() + at))) {
    out.resize(at);
    return CodecStatus::corrupt;
  }
  return CodecStatus::ok;
}

}  // namespace

CodecStatus snappy_decompress(const uint8_t* in, size_t len, std::vector<uint8_t>& out,
                              size_t max_out) {
  if (!is_xerial(in, len)) return append_raw(in, len, out, max_out);
  size_t pos = kXerialHeaderSize;
  while (pos < len) {
    if (len - pos < 4) return CodecStatus::corrupt;
    uint32_t block = load_be32(in + pos);
    pos += 4;
    if (block > len - pos) return CodecStatus::corrupt;
    CodecStatus s = append_raw(in + pos, block, out, max_out);
    if (s != CodecStatus::ok) return s;
    pos += block;
  }
  return CodecStatus::ok;
}

CodecStatus snappy_compress(const uint8_t* in, size_t len, std::vector<uint8_t>& out) {
  out.insert(out.end(), kXerialMagic, kXerialMagic + sizeof kXerialMagic);
  uint8_t versions[8];
  store_be32(versions, 1);
  store_be32(versions + 4, 1);
  out.insert(out.end(), versions, versions + sizeof versions);
  for (size_t pos = 0; pos < len; pos += kXerialBlockSize) {
    size_t chunk = std::min(kXerialBlockSize, len - pos);
    size_t at = out.size();
    out.resize(at + 4 + snappy::MaxCompressedLength(chunk));
    size_t written = 0;
    snappy::RawCompress(reinterpret_cast<const char*>(in + pos), chunk,
                        reinterpret_cast<char*>(out.data() + at + 4), &written);
    store_be32(out.data() + at, uint32_t(written));
    out.resize(at + 4 + written);
  }
  return CodecStatus::ok;
}

}  // namespace runnel::records::detail
