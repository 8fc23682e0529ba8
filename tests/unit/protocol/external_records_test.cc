// Records fields marked external (Fetch responses): the writer leaves their bytes out of the
// buffer and says where they go; buffer and external bytes stitched together must be exactly
// the message a plain encode produces, for classic and flexible versions.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <vector>

#include "broker/protocol/generated/fetch_response.h"
#include "broker/protocol/writer.h"

namespace runnel::protocol {
namespace {

FetchResponse two_partitions(const std::vector<uint8_t>& a, const std::vector<uint8_t>& b, bool external) {
  FetchResponse resp;
  auto& t = resp.responses.emplace_back();
  t.topic = "orders";
  for (const auto* records : {&a, &b}) {
    auto& pd = t.partitions.emplace_back();
    pd.partition_index = int32_t(t.partitions.size() - 1);
    pd.high_watermark = 42;
    pd.records.is_null = false;
    pd.records.data = records->data();
    pd.records.size = records->size();
    pd.records.external = external;
  }
  return resp;
}

std::vector<uint8_t> stitch(const std::vector<uint8_t>& buf, const std::vector<ExternalBytes>& ext) {
  size_t total = buf.size();
  for (const ExternalBytes& e : ext) total += e.size;
  std::vector<uint8_t> out(total);
  size_t at = 0, put = 0;
  auto copy = [&](const uint8_t* p, size_t n) {
    if (n > 0) std::memcpy(out.data() + put, p, n);
    put += n;
  };
  for (const ExternalBytes& e : ext) {
    copy(buf.data() + at, e.at - at);
    copy(e.data, e.size);
    at = e.at;
  }
  copy(buf.data() + at, buf.size() - at);
  return out;
}

TEST(ExternalRecords, StitchedOutputEqualsAPlainEncode) {
  std::vector<uint8_t> a(70000), b(123);
  for (size_t i = 0; i < a.size(); ++i) a[i] = uint8_t(i * 7);
  for (size_t i = 0; i < b.size(); ++i) b[i] = uint8_t(i * 13 + 1);
  for (int16_t v : {int16_t(4), int16_t(11), int16_t(12), int16_t(16)}) {
    std::vector<uint8_t> plain;
    plain.reserve(1 << 18);  // (g++ 12 warns falsely about inserting into a known-empty vector)
    Writer pw(plain);
    pw.write_int32(0);
    two_partitions(a, b, false).encode(pw, v);

    std::vector<uint8_t> buf;
    buf.reserve(4096);
    std::vector<ExternalBytes> ext;
    Writer w(buf);
    w.set_external(&ext);
    w.write_int32(0);
    two_partitions(a, b, true).encode(w, v);
    w.patch_int32(0, int32_t(w.position() - 4));
    pw.patch_int32(0, int32_t(pw.position() - 4));

    ASSERT_EQ(ext.size(), 2u) << "v" << v;
    EXPECT_EQ(ext[0].data, a.data());
    EXPECT_EQ(ext[1].data, b.data());
    EXPECT_EQ(buf.size() + a.size() + b.size(), plain.size()) << "records copied into the buffer, v" << v;
    EXPECT_EQ(w.position(), plain.size());
    EXPECT_EQ(stitch(buf, ext), plain) << "v" << v;
    // The counting writer (encoded_size) agrees with the wire length.
    EXPECT_EQ(two_partitions(a, b, true).encoded_size(v), plain.size() - 4);
  }
}

TEST(ExternalRecords, WithoutAnExternalListTheBytesAreCopied) {
  std::vector<uint8_t> a(100, 0x11), b(5, 0x22);
  std::vector<uint8_t> buf;
  Writer w(buf);
  two_partitions(a, b, true).encode(w, 12);
  EXPECT_EQ(buf.size(), w.position());
  EXPECT_EQ(buf.size(), two_partitions(a, b, false).encoded_size(12));
}

}  // namespace
}  // namespace runnel::protocol
