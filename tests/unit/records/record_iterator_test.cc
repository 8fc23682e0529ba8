#include "broker/records/record_iterator.h"

#include <gtest/gtest.h>

#include "broker/records/varint.h"

namespace runnel::records {
namespace {

// Hand-encodes one record body so tests can break individual fields.
struct RawRecord {
  int8_t attributes = 0;
  int64_t ts_delta = 0;
  int32_t offset_delta = 0;
  int32_t key_len = 1;
  std::string key = "k";
  int32_t value_len = 2;
  std::string value = "vv";
  int32_t header_count = 0;
  std::vector<uint8_t> headers;
};

std::vector<uint8_t> encode(const RawRecord& r, int32_t length_adjust = 0) {
  std::vector<uint8_t> body;
  body.push_back(uint8_t(r.attributes));
  append_varlong(body, r.ts_delta);
  append_varint(body, r.offset_delta);
  append_varint(body, r.key_len);
  body.insert(body.end(), r.key.begin(), r.key.end());
  append_varint(body, r.value_len);
  body.insert(body.end(), r.value.begin(), r.value.end());
  append_varint(body, r.header_count);
  body.insert(body.end(), r.headers.begin(), r.headers.end());
  std::vector<uint8_t> out;
  append_varint(out, int32_t(body.size()) + length_adjust);
  out.insert(out.end(), body.begin(), body.end());
  return out;
}

RecordError read_all(const std::vector<uint8_t>& body, int32_t count, int* read = nullptr) {
  RecordReader reader(body.data(), body.size(), count);
  RecordView v;
  int n = 0;
  while (reader.next(v)) ++n;
  if (read) *read = n;
  return reader.error();
}

TEST(Varint, ZigZagRoundTrip) {
  for (int64_t v : {int64_t(0), int64_t(-1), int64_t(1), int64_t(63), int64_t(-64), int64_t(64),
                    int64_t(INT32_MAX), int64_t(INT32_MIN), INT64_MAX, INT64_MIN}) {
    std::vector<uint8_t> buf;
    append_varlong(buf, v);
    EXPECT_EQ(buf.size(), varlong_size(v));
    int64_t back = 0;
    EXPECT_EQ(read_varlong(buf.data(), buf.data() + buf.size(), back), buf.size());
    EXPECT_EQ(back, v);
    if (v >= INT32_MIN && v <= INT32_MAX) {
      int32_t b32 = 0;
      EXPECT_EQ(read_varint(buf.data(), buf.data() + buf.size(), b32), buf.size());
      EXPECT_EQ(b32, v);
    }
  }
  uint8_t minus_one = 0x01;
  int32_t out = 0;
  ASSERT_EQ(read_varint(&minus_one, &minus_one + 1, out), 1u);
  EXPECT_EQ(out, -1);
  uint8_t too_long[6] = {0x80, 0x80, 0x80, 0x80, 0x80, 0x00};
  EXPECT_EQ(read_varint(too_long, too_long + 6, out), 0u);
  EXPECT_EQ(read_varint(too_long, too_long + 3, out), 0u);
}

TEST(RecordReader, ReadsFieldsAndHeaders) {
  RawRecord r;
  r.ts_delta = -7;
  r.offset_delta = 0;
  r.header_count = 2;
  std::vector<uint8_t> h;
  append_varint(h, 1);
  h.push_back('a');
  append_varint(h, -1);  // null header value
  append_varint(h, 2);
  h.push_back('b');
  h.push_back('c');
  append_varint(h, 1);
  h.push_back('x');
  r.headers = h;
  auto body = encode(r);
  RawRecord nulls;
  nulls.offset_delta = 1;
  nulls.key_len = -1;
  nulls.key = "";
  nulls.value_len = -1;
  nulls.value = "";
  auto second = encode(nulls);
  body.insert(body.end(), second.begin(), second.end());

  RecordReader reader(body.data(), body.size(), 2);
  RecordView v;
  ASSERT_TRUE(reader.next(v));
  EXPECT_EQ(v.timestamp_delta, -7);
  EXPECT_EQ(v.offset_delta, 0);
  EXPECT_EQ(v.key.str(), "k");
  EXPECT_EQ(v.value.str(), "vv");
  ASSERT_EQ(v.header_count, 2);
  auto it = v.headers();
  RecordHeaderView hv;
  ASSERT_TRUE(it.next(hv));
  EXPECT_EQ(hv.key, "a");
  EXPECT_TRUE(hv.value.is_null());
  ASSERT_TRUE(it.next(hv));
  EXPECT_EQ(hv.key, "bc");
  EXPECT_EQ(hv.value.str(), "x");
  EXPECT_FALSE(it.next(hv));
  ASSERT_TRUE(reader.next(v));
  EXPECT_TRUE(v.key.is_null());
  EXPECT_TRUE(v.value.is_null());
  EXPECT_EQ(v.offset_delta, 1);
  EXPECT_EQ(size_t(v.size_bytes), second.size());
  EXPECT_FALSE(reader.next(v));
  EXPECT_EQ(reader.error(), RecordError::none);
}

TEST(RecordReader, CountMismatches) {
  auto body = encode(RawRecord{});
  int read = 0;
  EXPECT_EQ(read_all(body, 2, &read), RecordError::truncated);
  EXPECT_EQ(read, 1);
  auto two = body;
  two.insert(two.end(), body.begin(), body.end());
  EXPECT_EQ(read_all(two, 1), RecordError::trailing_bytes);
  EXPECT_EQ(read_all(two, 2), RecordError::none);
  EXPECT_EQ(read_all({}, 1), RecordError::truncated);
}

TEST(RecordReader, MalformedFields) {
  // Record length longer than the buffer.
  EXPECT_EQ(read_all(encode(RawRecord{}, 5), 1), RecordError::truncated);
  // Record length shorter than its fields.
  EXPECT_NE(read_all(encode(RawRecord{}, -2), 1), RecordError::none);
  // Negative record length.
  std::vector<uint8_t> neg;
  append_varint(neg, -3);
  neg.resize(10, 0);
  EXPECT_EQ(read_all(neg, 1), RecordError::bad_length);
  // Key length below -1.
  RawRecord r;
  r.key_len = -2;
  r.key = "";
  EXPECT_EQ(read_all(encode(r), 1), RecordError::bad_length);
  // Key length past the record end.
  r = RawRecord{};
  r.key_len = 100;
  EXPECT_EQ(read_all(encode(r), 1), RecordError::size_mismatch);
  // Negative header count, and more headers than bytes.
  r = RawRecord{};
  r.header_count = -1;
  EXPECT_EQ(read_all(encode(r), 1), RecordError::bad_header);
  r.header_count = 1000;
  EXPECT_EQ(read_all(encode(r), 1), RecordError::bad_header);
  // A null header key.
  r.header_count = 1;
  r.headers.clear();
  append_varint(r.headers, -1);
  append_varint(r.headers, 0);
  EXPECT_EQ(read_all(encode(r), 1), RecordError::bad_header);
  // Six-byte varint in the offset delta.
  std::vector<uint8_t> body = {0x00, 0x00, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01, 0x01, 0x01, 0x00};
  std::vector<uint8_t> framed;
  append_varint(framed, int32_t(body.size()));
  framed.insert(framed.end(), body.begin(), body.end());
  EXPECT_EQ(read_all(framed, 1), RecordError::bad_varint);
  // Extra bytes inside the record after the headers.
  auto padded = encode(RawRecord{}, 1);
  padded.push_back(0);
  EXPECT_EQ(read_all(padded, 1), RecordError::size_mismatch);
  // Unterminated length varint at the end of the buffer.
  EXPECT_EQ(read_all({0x80}, 1), RecordError::truncated);
}

}  // namespace
}  // namespace runnel::records
