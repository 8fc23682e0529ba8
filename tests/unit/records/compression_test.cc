#include "broker/records/compression.h"

#include <gtest/gtest.h>
#include <snappy.h>
#include <zlib.h>
#include <zstd.h>

#include <cstring>
#include <random>
#include <string>

namespace runnel::records {
namespace {

constexpr size_t kCap = 64u << 20;

std::vector<uint8_t> sample(size_t n, bool random = false) {
  std::vector<uint8_t> v(n);
  std::mt19937 rng(7);
  for (size_t i = 0; i < n; ++i) v[i] = random ? uint8_t(rng()) : uint8_t("kafka records "[i % 14]);
  return v;
}

class CodecTest : public ::testing::TestWithParam<Compression> {};

TEST_P(CodecTest, RoundTripsSizes) {
  for (size_t n : {size_t(1), size_t(100), size_t(70'000), size_t(1'000'000)}) {
    for (bool random : {false, true}) {
      auto in = sample(n, random);
      std::vector<uint8_t> packed;
      ASSERT_EQ(compress(GetParam(), in.data(), in.size(), packed), CodecStatus::ok);
      std::vector<uint8_t> out;
      ASSERT_EQ(decompress(GetParam(), packed.data(), packed.size(), out, kCap), CodecStatus::ok)
          << n << " random " << random;
      EXPECT_EQ(out, in);
    }
  }
}

TEST_P(CodecTest, CapRejectsBomb) {
  // 8 MiB of zeros compresses to almost nothing; a 1 MiB cap must stop it.
  std::vector<uint8_t> zeros(8u << 20, 0);
  std::vector<uint8_t> packed;
  ASSERT_EQ(compress(GetParam(), zeros.data(), zeros.size(), packed), CodecStatus::ok);
  EXPECT_LT(packed.size(), 1u << 20);
  std::vector<uint8_t> out;
  EXPECT_EQ(decompress(GetParam(), packed.data(), packed.size(), out, 1u << 20), CodecStatus::too_large);
  EXPECT_LE(out.size(), 1u << 20);
  // Exactly at the cap is fine.
  EXPECT_EQ(decompress(GetParam(), packed.data(), packed.size(), out, zeros.size()), CodecStatus::ok);
  EXPECT_EQ(out.size(), zeros.size());
}

TEST_P(CodecTest, TruncatedIsCorrupt) {
  auto in = sample(50'000, true);
  std::vector<uint8_t> packed;
  ASSERT_EQ(compress(GetParam(), in.data(), in.size(), packed), CodecStatus::ok);
  std::vector<uint8_t> out;
  for (size_t cut : {size_t(0), size_t(5), packed.size() / 2, packed.size() - 1}) {
    EXPECT_EQ(decompress(GetParam(), packed.data(), cut, out, kCap), CodecStatus::corrupt) << cut;
  }
}

TEST_P(CodecTest, GarbageIsCorrupt) {
  auto junk = sample(1000, true);
  std::vector<uint8_t> out;
  EXPECT_NE(decompress(GetParam(), junk.data(), junk.size(), out, kCap), CodecStatus::ok);
}

INSTANTIATE_TEST_SUITE_P(AllCodecs, CodecTest,
                         ::testing::Values(Compression::gzip, Compression::snappy, Compression::lz4,
                                           Compression::zstd),
                         [](const auto& info) { return std::string(compression_name(info.param)); });

TEST(Compression, NoneIsNotACodec) {
  std::vector<uint8_t> out;
  uint8_t b = 0;
  EXPECT_EQ(decompress(Compression::none, &b, 1, out, kCap), CodecStatus::unsupported);
  EXPECT_EQ(compress(Compression::none, &b, 1, out), CodecStatus::unsupported);
}

TEST(Compression, SnappyWritesXerialFramingAndReadsRaw) {
  auto in = sample(100'000);
  std::vector<uint8_t> packed;
  ASSERT_EQ(compress(Compression::snappy, in.data(), in.size(), packed), CodecStatus::ok);
  const uint8_t magic[8] = {0x82, 'S', 'N', 'A', 'P', 'P', 'Y', 0};
  ASSERT_GE(packed.size(), 16u);
  EXPECT_EQ(std::memcmp(packed.data(), magic, 8), 0);

  std::string raw;
  snappy::Compress(reinterpret_cast<const char*>(in.data()), in.size(), &raw);
  std::vector<uint8_t> out;
  ASSERT_EQ(decompress(Compression::snappy, reinterpret_cast<const uint8_t*>(raw.data()), raw.size(),
                       out, kCap),
            CodecStatus::ok);
  EXPECT_EQ(out, in);
  // A raw block whose length prefix claims more than the cap is refused before allocating.
  EXPECT_EQ(decompress(Compression::snappy, reinterpret_cast<const uint8_t*>(raw.data()), raw.size(),
                       out, 1000),
            CodecStatus::too_large);
}

TEST(Compression, SnappyXerialBadBlockLength) {
  auto in = sample(1000);
  std::vector<uint8_t> packed;
  ASSERT_EQ(compress(Compression::snappy, in.data(), in.size(), packed), CodecStatus::ok);
  packed[16] = 0x7f;  // block length far beyond the input
  std::vector<uint8_t> out;
  EXPECT_EQ(decompress(Compression::snappy, packed.data(), packed.size(), out, kCap), CodecStatus::corrupt);
}

TEST(Compression, GzipConcatenatedMembers) {
  auto a = sample(3000);
  auto b = sample(5000, true);
  std::vector<uint8_t> packed;
  ASSERT_EQ(compress(Compression::gzip, a.data(), a.size(), packed), CodecStatus::ok);
  ASSERT_EQ(compress(Compression::gzip, b.data(), b.size(), packed), CodecStatus::ok);
  std::vector<uint8_t> out;
  ASSERT_EQ(decompress(Compression::gzip, packed.data(), packed.size(), out, kCap), CodecStatus::ok);
  std::vector<uint8_t> both = a;
  both.insert(both.end(), b.begin(), b.end());
  EXPECT_EQ(out, both);
}

TEST(Compression, ZstdStreamWithoutContentSize) {
  auto in = sample(300'000);
  ZSTD_CCtx* cctx = ZSTD_createCCtx();
  ZSTD_CCtx_setParameter(cctx, ZSTD_c_contentSizeFlag, 0);
  std::vector<uint8_t> packed(ZSTD_compressBound(in.size()));
  ZSTD_inBuffer input{in.data(), in.size(), 0};
  ZSTD_outBuffer output{packed.data(), packed.size(), 0};
  size_t left = ZSTD_compressStream2(cctx, &output, &input, ZSTD_e_end);
  ZSTD_freeCCtx(cctx);
  ASSERT_EQ(left, 0u);
  packed.resize(output.pos);
  ASSERT_EQ(ZSTD_getFrameContentSize(packed.data(), packed.size()), ZSTD_CONTENTSIZE_UNKNOWN);
  std::vector<uint8_t> out;
  ASSERT_EQ(decompress(Compression::zstd, packed.data(), packed.size(), out, kCap), CodecStatus::ok);
  EXPECT_EQ(out, in);
  EXPECT_EQ(decompress(Compression::zstd, packed.data(), packed.size(), out, 1000), CodecStatus::too_large);
}

TEST(Compression, Lz4ConcatenatedFrames) {
  auto a = sample(3000);
  std::vector<uint8_t> packed;
  ASSERT_EQ(compress(Compression::lz4, a.data(), a.size(), packed), CodecStatus::ok);
  // Kafka's frames: FLG has version 01 and the block-independence bit; BD says 64 KiB blocks.
  EXPECT_EQ(packed[4] & 0xC0, 0x40);
  EXPECT_NE(packed[4] & 0x20, 0);
  EXPECT_EQ(packed[4] & 0x08, 0);  // no content size
  EXPECT_EQ(packed[5], 0x40);
  ASSERT_EQ(compress(Compression::lz4, a.data(), a.size(), packed), CodecStatus::ok);
  std::vector<uint8_t> out;
  ASSERT_EQ(decompress(Compression::lz4, packed.data(), packed.size(), out, kCap), CodecStatus::ok);
  EXPECT_EQ(out.size(), 2 * a.size());
}

TEST(Compression, ReusesBufferAcrossCalls) {
  auto big = sample(500'000);
  auto small = sample(10);
  std::vector<uint8_t> p1;
  std::vector<uint8_t> p2;
  ASSERT_EQ(compress(Compression::zstd, big.data(), big.size(), p1), CodecStatus::ok);
  ASSERT_EQ(compress(Compression::zstd, small.data(), small.size(), p2), CodecStatus::ok);
  std::vector<uint8_t> out;
  ASSERT_EQ(decompress(Compression::zstd, p1.data(), p1.size(), out, kCap), CodecStatus::ok);
  ASSERT_EQ(decompress(Compression::zstd, p2.data(), p2.size(), out, kCap), CodecStatus::ok);
  EXPECT_EQ(out, small);
}

}  // namespace
}  // namespace runnel::records
