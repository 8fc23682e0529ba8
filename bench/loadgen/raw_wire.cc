#include "raw_wire.h"

#include <lz4frame.h>

#include <array>
#include <stdexcept>

namespace bench {
namespace {

std::array<uint32_t, 256> make_table() {
  std::array<uint32_t, 256> t{};
  for (uint32_t i = 0; i < 256; ++i) {
    uint32_t c = i;
    for (int k = 0; k < 8; ++k) c = (c & 1) ? (c >> 1) ^ 0x82F63B78u : c >> 1;
    t[i] = c;
  }
  return t;
}

void put8(std::string& s, uint8_t v) { s.push_back(char(v)); }
void put16(std::string& s, uint16_t v) { put8(s, uint8_t(v >> 8)), put8(s, uint8_t(v)); }
void put32(std::string& s, uint32_t v) { put16(s, uint16_t(v >> 16)), put16(s, uint16_t(v)); }
void put64(std::string& s, uint64_t v) { put32(s, uint32_t(v >> 32)), put32(s, uint32_t(v)); }
void uvarint(std::string& s, uint64_t v) {
  while (v >= 0x80) {
    put8(s, uint8_t(v | 0x80));
    v >>= 7;
  }
  put8(s, uint8_t(v));
}
void varint(std::string& s, int64_t v) { uvarint(s, (uint64_t(v) << 1) ^ uint64_t(v >> 63)); }
size_t varint_len(int64_t v) {
  std::string s;
  varint(s, v);
  return s.size();
}

std::string encode_record(const std::string& value, int offset_delta) {
  std::string body;
  put8(body, 0);        // attributes
  varint(body, 0);      // timestamp delta
  varint(body, offset_delta);
  varint(body, -1);     // null key
  varint(body, int64_t(value.size()));
  body += value;
  varint(body, 0);      // no headers
  std::string r;
  varint(r, int64_t(body.size()));
  return r + body;
}

}  // namespace

uint32_t crc32c(const uint8_t* p, size_t n) {
  static const auto table = make_table();
  uint32_t c = 0xFFFFFFFFu;
  for (size_t i = 0; i < n; ++i) c = table[(c ^ p[i]) & 0xFF] ^ (c >> 8);
  return c ^ 0xFFFFFFFFu;
}

int records_per_batch(size_t value_size, size_t batch_bytes) {
  size_t per = value_size + 1 + 1 + 1 + 1 + varint_len(int64_t(value_size)) + 1 + 2 + 2;  // upper bound
  size_t n = (batch_bytes - 61) / per;
  return n < 1 ? 1 : int(n);
}

std::string encode_batch(const std::vector<std::string>& values, int records, int64_t timestamp_ms, bool lz4) {
  std::string body;
  for (int i = 0; i < records; ++i) body += encode_record(values[size_t(i) % values.size()], i);
  if (lz4) {
    // Kafka's LZ4 codec is the LZ4 frame format; it decompresses blocks one by one without the
    // previous block as a dictionary, so the blocks must be independent.
    LZ4F_preferences_t prefs{};
    prefs.frameInfo.blockMode = LZ4F_blockIndependent;
    std::string out(LZ4F_compressFrameBound(body.size(), &prefs), '\0');
    const size_t n = LZ4F_compressFrame(out.data(), out.size(), body.data(), body.size(), &prefs);
    if (LZ4F_isError(n)) throw std::runtime_error(LZ4F_getErrorName(n));
    out.resize(n);
    body = std::move(out);
  }
  std::string tail;  // from attributes to the end: what the CRC covers
  put16(tail, lz4 ? 3 : 0);                // attributes: compression (3 = lz4), CreateTime
  put32(tail, uint32_t(records - 1));      // last offset delta
  put64(tail, uint64_t(timestamp_ms));     // base timestamp
  put64(tail, uint64_t(timestamp_ms));     // max timestamp
  put64(tail, uint64_t(int64_t(-1)));      // producer id
  put16(tail, uint16_t(int16_t(-1)));      // producer epoch
  put32(tail, uint32_t(int32_t(-1)));      // base sequence
  put32(tail, uint32_t(records));
  tail += body;
  std::string b;
  put64(b, 0);                                       // base offset (the broker assigns it)
  put32(b, uint32_t(4 + 1 + 4 + tail.size()));       // batch length: epoch + magic + crc + tail
  put32(b, uint32_t(int32_t(-1)));                   // partition leader epoch
  put8(b, 2);                                        // magic
  put32(b, crc32c(reinterpret_cast<const uint8_t*>(tail.data()), tail.size()));
  return b + tail;
}

std::string encode_produce_v9(const std::string& topic, int partitions, const std::string& batch, int16_t acks, int32_t timeout_ms) {
  std::string r;
  put16(r, 0);   // api key: Produce
  put16(r, 9);   // version (flexible)
  put32(r, 0);   // correlation id, patched per send
  const std::string client = "runnel-bench-raw";
  put16(r, uint16_t(client.size()));
  r += client;
  uvarint(r, 0);  // header tagged fields
  uvarint(r, 0);  // transactional id: null
  put16(r, uint16_t(acks));
  put32(r, uint32_t(timeout_ms));
  uvarint(r, 2);  // one topic
  uvarint(r, topic.size() + 1);
  r += topic;
  uvarint(r, uint64_t(partitions) + 1);
  for (int p = 0; p < partitions; ++p) {
    put32(r, uint32_t(p));
    uvarint(r, batch.size() + 1);
    r += batch;
    uvarint(r, 0);  // partition tagged fields
  }
  uvarint(r, 0);  // topic tagged fields
  uvarint(r, 0);  // request tagged fields
  std::string out;
  put32(out, uint32_t(r.size()));
  return out + r;
}

void patch_correlation_id(std::string& request, int32_t id) {
  for (int i = 0; i < 4; ++i) request[size_t(8 + i)] = char(uint32_t(id) >> (24 - 8 * i));
}

namespace {
struct Reader {
  const uint8_t* p;
  size_t n;
  size_t pos = 0;
  bool ok = true;
  uint64_t u(int bytes) {
    if (pos + size_t(bytes) > n) return ok = false, 0;
    uint64_t v = 0;
    for (int i = 0; i < bytes; ++i) v = (v << 8) | p[pos++];
    return v;
  }
  uint64_t uv() {
    uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (pos >= n) return ok = false, 0;
      uint8_t b = p[pos++];
      v |= uint64_t(b & 0x7F) << shift;
      if (!(b & 0x80)) return v;
    }
    return ok = false, 0;
  }
  void skip(size_t k) { pos + k > n ? void(ok = false) : void(pos += k); }
  void skip_tags() {
    uint64_t count = uv();
    for (uint64_t i = 0; ok && i < count; ++i) {
      uv();
      skip(size_t(uv()));
    }
  }
};
}  // namespace

int produce_v9_errors(const uint8_t* body, size_t n, int32_t* correlation_id, int* first_error) {
  Reader r{body, n};
  *correlation_id = int32_t(r.u(4));
  r.skip_tags();
  uint64_t topics = r.uv();
  int errors = 0;
  for (uint64_t t = 1; r.ok && t < topics; ++t) {
    r.skip(size_t(r.uv() - 1));  // name
    uint64_t parts = r.uv();
    for (uint64_t p = 1; r.ok && p < parts; ++p) {
      r.u(4);  // index
      int code = int(int16_t(r.u(2)));
      if (code != 0 && errors++ == 0) *first_error = code;
      r.u(8);  // base offset
      r.u(8);  // log append time
      r.u(8);  // log start offset
      uint64_t rec_errs = r.uv();
      for (uint64_t e = 1; r.ok && e < rec_errs; ++e) {
        r.u(4);
        uint64_t len = r.uv();
        if (len > 0) r.skip(size_t(len - 1));
        r.skip_tags();
      }
      uint64_t msg = r.uv();
      if (msg > 0) r.skip(size_t(msg - 1));
      r.skip_tags();
    }
    r.skip_tags();
  }
  return r.ok ? errors : -1;
}

}  // namespace bench
