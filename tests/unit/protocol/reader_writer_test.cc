#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "broker/protocol/reader.h"
#include "broker/protocol/writer.h"

namespace runnel::protocol {
namespace {

std::vector<uint8_t> bytes(std::initializer_list<int> v) {
  std::vector<uint8_t> out;
  for (int b : v) out.push_back(static_cast<uint8_t>(b));
  return out;
}

TEST(ReaderWriter, FixedWidthIntegersAreBigEndian) {
  std::vector<uint8_t> buf;
  Writer w(buf);
  w.write_int8(-2);
  w.write_int16(0x1234);
  w.write_uint16(0xfedc);
  w.write_int32(-559038737);  // 0xdeadbeef
  w.write_uint32(0x01020304u);
  w.write_int64(0x0102030405060708LL);
  w.write_float64(3.25);
  w.write_bool(true);
  EXPECT_EQ(buf.size(), 1u + 2 + 2 + 4 + 4 + 8 + 8 + 1);
  EXPECT_EQ(buf[1], 0x12);
  EXPECT_EQ(buf[2], 0x34);
  EXPECT_EQ(buf[5], 0xde);

  Reader r(buf.data(), buf.size());
  EXPECT_EQ(r.read_int8(), -2);
  EXPECT_EQ(r.read_int16(), 0x1234);
  EXPECT_EQ(r.read_uint16(), 0xfedc);
  EXPECT_EQ(r.read_int32(), -559038737);
  EXPECT_EQ(r.read_uint32(), 0x01020304u);
  EXPECT_EQ(r.read_int64(), 0x0102030405060708LL);
  EXPECT_EQ(r.read_float64(), 3.25);
  EXPECT_TRUE(r.read_bool());
  EXPECT_TRUE(r.ok());
  EXPECT_EQ(r.remaining(), 0u);
}

TEST(ReaderWriter, VarintsMatchKafkaEncoding) {
  struct Case {
    uint32_t value;
    std::vector<uint8_t> wire;
  };
  for (const Case& c : {Case{0, bytes({0})}, Case{1, bytes({1})}, Case{127, bytes({0x7f})},
                        Case{128, bytes({0x80, 0x01})}, Case{300, bytes({0xac, 0x02})},
                        Case{0xffffffffu, bytes({0xff, 0xff, 0xff, 0xff, 0x0f})}}) {
    std::vector<uint8_t> buf;
    Writer w(buf);
    w.write_uvarint(c.value);
    EXPECT_EQ(buf, c.wire) << c.value;
    Reader r(buf.data(), buf.size());
    EXPECT_EQ(r.read_uvarint(), c.value);
    EXPECT_TRUE(r.ok());
  }
  // Zigzag: -1 -> 1, 1 -> 2, INT32_MIN -> 0xffffffff.
  for (int32_t v : {0, -1, 1, -64, 64, std::numeric_limits<int32_t>::min(), std::numeric_limits<int32_t>::max()}) {
    std::vector<uint8_t> buf;
    Writer w(buf);
    w.write_varint(v);
    Reader r(buf.data(), buf.size());
    EXPECT_EQ(r.read_varint(), v);
  }
  std::vector<uint8_t> buf;
  Writer w(buf);
  w.write_varint(-1);
  EXPECT_EQ(buf, bytes({1}));
  for (int64_t v : {int64_t{0}, int64_t{-1}, std::numeric_limits<int64_t>::min(), std::numeric_limits<int64_t>::max()}) {
    std::vector<uint8_t> b;
    Writer wl(b);
    wl.write_varlong(v);
    Reader r(b.data(), b.size());
    EXPECT_EQ(r.read_varlong(), v);
    EXPECT_TRUE(r.ok());
  }
}

TEST(ReaderWriter, OverlongVarintsFail) {
  auto six = bytes({0x80, 0x80, 0x80, 0x80, 0x80, 0x01});
  Reader r(six.data(), six.size());
  r.read_uvarint();
  EXPECT_FALSE(r.ok());
  auto too_big = bytes({0xff, 0xff, 0xff, 0xff, 0x1f});  // 33 bits
  Reader r2(too_big.data(), too_big.size());
  r2.read_uvarint();
  EXPECT_FALSE(r2.ok());
  auto unterminated = bytes({0x80, 0x80});
  Reader r3(unterminated.data(), unterminated.size());
  r3.read_uvarint();
  EXPECT_FALSE(r3.ok());
}

TEST(ReaderWriter, StringsClassicAndCompact) {
  std::vector<uint8_t> buf;
  Writer w(buf);
  w.write_string(false, "abc");
  w.write_string(true, "abc");
  w.write_nullable_string(false, std::nullopt);
  w.write_nullable_string(true, std::nullopt);
  w.write_nullable_string(true, std::string());
  EXPECT_EQ(buf, bytes({0, 3, 'a', 'b', 'c', 4, 'a', 'b', 'c', 0xff, 0xff, 0, 1}));

  Reader r(buf.data(), buf.size());
  std::string s;
  std::optional<std::string> o;
  EXPECT_TRUE(r.read_string(false, s));
  EXPECT_EQ(s, "abc");
  EXPECT_TRUE(r.read_string(true, s));
  EXPECT_EQ(s, "abc");
  EXPECT_TRUE(r.read_nullable_string(false, o));
  EXPECT_FALSE(o.has_value());
  EXPECT_TRUE(r.read_nullable_string(true, o));
  EXPECT_FALSE(o.has_value());
  EXPECT_TRUE(r.read_nullable_string(true, o));
  ASSERT_TRUE(o.has_value());
  EXPECT_EQ(*o, "");
  EXPECT_EQ(r.remaining(), 0u);
}

TEST(ReaderWriter, NullWhereNotNullableFails) {
  auto wire = bytes({0xff, 0xff});
  Reader r(wire.data(), wire.size());
  std::string s;
  EXPECT_FALSE(r.read_string(false, s));
  EXPECT_FALSE(r.ok());
}

TEST(ReaderWriter, NegativeLengthsOtherThanNullFail) {
  auto wire = bytes({0xff, 0xfe, 'a', 'b'});  // int16 -2
  Reader r(wire.data(), wire.size());
  std::optional<std::string> o;
  EXPECT_FALSE(r.read_nullable_string(false, o));
  auto arr = bytes({0x80, 0, 0, 0});  // INT32_MIN elements
  Reader r2(arr.data(), arr.size());
  int32_t n = 0;
  EXPECT_FALSE(r2.read_array_length(false, n));
  std::vector<uint8_t> b;
  Reader r3(arr.data(), arr.size());
  EXPECT_FALSE(r3.read_bytes(false, b));
}

TEST(ReaderWriter, LengthsPastTheEndFail) {
  auto wire = bytes({0, 5, 'a', 'b'});
  Reader r(wire.data(), wire.size());
  std::string s;
  EXPECT_FALSE(r.read_string(false, s));
  auto compact = bytes({10, 1, 2});  // 9 bytes announced, 2 present
  Reader r2(compact.data(), compact.size());
  std::vector<uint8_t> b;
  EXPECT_FALSE(r2.read_bytes(true, b));
  RecordsRef rec;
  Reader r3(compact.data(), compact.size());
  EXPECT_FALSE(r3.read_records(true, rec));
}

TEST(ReaderWriter, HugeArrayCountsAreRejectedBeforeAllocating) {
  // An int32 count of 2^31-1 with 3 bytes behind it: each element needs at least one byte.
  auto wire = bytes({0x7f, 0xff, 0xff, 0xff, 1, 2, 3});
  Reader r(wire.data(), wire.size());
  int32_t n = 0;
  EXPECT_FALSE(r.read_array_length(false, n));
  auto compact = bytes({0xff, 0xff, 0xff, 0xff, 0x0f});  // uvarint 2^32-1 -> count 2^32-2
  Reader r2(compact.data(), compact.size());
  EXPECT_FALSE(r2.read_array_length(true, n));
  auto ok = bytes({0, 0, 0, 3, 1, 2, 3});
  Reader r3(ok.data(), ok.size());
  EXPECT_TRUE(r3.read_array_length(false, n));
  EXPECT_EQ(n, 3);
}

TEST(ReaderWriter, FailureIsStickyAndReadsReturnZero) {
  auto wire = bytes({1, 2, 3});
  Reader r(wire.data(), wire.size());
  EXPECT_EQ(r.read_int32(), 0);
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.read_int8(), 0);  // would fit, but the reader already failed
  EXPECT_EQ(r.read_raw(1), nullptr);
  EXPECT_EQ(r.remaining(), 0u);
  EXPECT_TRUE(r.read_uuid().is_zero());
}

TEST(ReaderWriter, SubReaderIsBounded) {
  auto wire = bytes({1, 2, 3, 4, 5});
  Reader r(wire.data(), wire.size());
  Reader sub = r.sub_reader(2);
  EXPECT_EQ(sub.read_int16(), 0x0102);
  sub.read_int8();
  EXPECT_FALSE(sub.ok());
  EXPECT_TRUE(r.ok());
  EXPECT_EQ(r.read_int8(), 3);
  Reader bad = r.sub_reader(10);
  EXPECT_FALSE(bad.ok());
  EXPECT_FALSE(r.ok());
}

TEST(ReaderWriter, RecordsPointIntoTheInput) {
  auto wire = bytes({0, 0, 0, 2, 7, 8, 0xff, 0xff, 0xff, 0xff});
  Reader r(wire.data(), wire.size());
  RecordsRef rec;
  ASSERT_TRUE(r.read_records(false, rec));
  EXPECT_FALSE(rec.is_null);
  EXPECT_EQ(rec.data, wire.data() + 4);
  EXPECT_EQ(rec.size, 2u);
  ASSERT_TRUE(r.read_records(false, rec));
  EXPECT_TRUE(rec.is_null);
}

TEST(ReaderWriter, CountingWriterAndPatch) {
  Writer counter;
  counter.write_string(true, "hello");
  counter.write_int64(1);
  EXPECT_EQ(counter.position(), 6u + 8u);

  std::vector<uint8_t> buf = {9, 9};  // pre-existing bytes are not ours
  Writer w(buf);
  size_t at = w.position();
  EXPECT_EQ(at, 0u);
  w.write_int32(0);
  w.write_int16(7);
  w.patch_int32(at, static_cast<int32_t>(w.position() - at - 4));
  EXPECT_EQ(buf, bytes({9, 9, 0, 0, 0, 2, 0, 7}));
}

TEST(ReaderWriter, UuidRoundTrip) {
  Uuid u;
  for (size_t i = 0; i < 16; ++i) u.bytes[i] = static_cast<uint8_t>(i + 1);
  std::vector<uint8_t> buf;
  Writer w(buf);
  w.write_uuid(u);
  ASSERT_EQ(buf.size(), 16u);
  EXPECT_EQ(buf[0], 1);
  Reader r(buf.data(), buf.size());
  EXPECT_EQ(r.read_uuid(), u);
}

}  // namespace
}  // namespace runnel::protocol

namespace runnel::protocol {
namespace {

TEST(ReaderWriter, OverlongClassicStringIsTruncatedAndFlagged) {
  const std::string big(40000, 'x');
  std::vector<uint8_t> buf;
  Writer w(buf);
  w.write_string(false, big);
  EXPECT_FALSE(w.ok());
  ASSERT_EQ(buf.size(), 2u + 32767u);
  Reader r(buf.data(), buf.size());
  std::string back;
  ASSERT_TRUE(r.read_string(false, back));
  EXPECT_EQ(back.size(), 32767u);

  std::vector<uint8_t> compact;
  Writer wc(compact);
  wc.write_string(true, big);  // compact strings have no 16-bit limit
  EXPECT_TRUE(wc.ok());
  EXPECT_EQ(compact.size(), 3u + big.size());
}

}  // namespace
}  // namespace runnel::protocol
