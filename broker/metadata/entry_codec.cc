#include "broker/metadata/entry_codec.h"

#include "broker/model/assert.h"

namespace runnel::metadata {
namespace {

constexpr uint8_t kEntryFrameVersion = 0;

void put_uvarint(std::vector<uint8_t>& out, uint64_t v) {
  while (v >= 0x80) {
    out.push_back(static_cast<uint8_t>(v | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<uint8_t>(v));
}

// Reads an unsigned varint of at most 5 bytes (lengths and counts fit in 32 bits).
bool get_uvarint(std::span<const uint8_t> in, size_t& pos, uint32_t& v) {
  v = 0;
  for (int shift = 0; shift <= 28; shift += 7) {
    if (pos >= in.size()) return false;
    uint8_t b = in[pos++];
    v |= static_cast<uint32_t>(b & 0x7f) << shift;
    if ((b & 0x80) == 0) return true;
  }
  return false;
}

DecodeError framing(DecodeErrc code, size_t pos) { return DecodeError{code, 0, pos}; }

}  // namespace

std::vector<uint8_t> encode_entry(std::span<const Record> records) {
  RUNNEL_ASSERT(!records.empty(), "an entry of no records");
  if (records.size() == 1) return encode(records.front());
  std::vector<uint8_t> out{0, 0, kEntryFrameVersion};
  put_uvarint(out, records.size());
  std::vector<uint8_t> frame;
  for (const Record& r : records) {
    frame.clear();
    encode(r, frame);
    put_uvarint(out, frame.size());
    out.insert(out.end(), frame.begin(), frame.end());
  }
  return out;
}

Result<std::vector<Record>, DecodeError> decode_entry(std::span<const uint8_t> bytes) {
  std::vector<Record> records;
  if (bytes.size() < 2 || bytes[0] != 0 || bytes[1] != 0) {
    auto one = decode(bytes);
    if (!one) return Unexpected(one.error());
    records.push_back(std::move(one).value());
    return records;
  }
  size_t pos = 2;
  if (pos >= bytes.size()) return Unexpected(framing(DecodeErrc::truncated, pos));
  if (bytes[pos++] != kEntryFrameVersion) return Unexpected(framing(DecodeErrc::unsupported_version, pos - 1));
  uint32_t count = 0;
  if (!get_uvarint(bytes, pos, count)) return Unexpected(framing(DecodeErrc::truncated, pos));
  if (count < 2) return Unexpected(framing(DecodeErrc::invalid_value, pos));
  // Every frame takes at least 4 bytes (length, type, version), so a count the bytes cannot hold
  // is refused before anything is reserved for it.
  if (count > (bytes.size() - pos) / 4) return Unexpected(framing(DecodeErrc::truncated, pos));
  records.reserve(count);
  for (uint32_t i = 0; i < count; ++i) {
    uint32_t len = 0;
    if (!get_uvarint(bytes, pos, len) || len > bytes.size() - pos) return Unexpected(framing(DecodeErrc::truncated, pos));
    auto one = decode(bytes.subspan(pos, len));
    if (!one) {
      DecodeError e = one.error();
      e.position += pos;
      return Unexpected(e);
    }
    records.push_back(std::move(one).value());
    pos += len;
  }
  if (pos != bytes.size()) return Unexpected(framing(DecodeErrc::trailing_bytes, pos));
  return records;
}

std::vector<ApplyError> apply_entry(ImageBuilder& builder, std::span<const Record> records, Offset offset) {
  std::vector<ApplyError> refused;
  bool placed = false;  // the offset goes with the first record that applies
  for (const Record& r : records) {
    auto applied = placed ? builder.apply(r) : builder.apply(r, offset);
    if (!applied) {
      refused.push_back(std::move(applied).error());
      continue;
    }
    placed = true;
  }
  return refused;
}

}  // namespace runnel::metadata
