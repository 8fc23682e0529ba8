// Randomly damaged batches (CRC fixed up so the damage reaches the record parser and the codecs)
// must never crash the validator, and whatever it accepts must iterate cleanly. Run this under
// RUNNEL_SANITIZE=ON to catch out-of-bounds reads.

#include <gtest/gtest.h>

#include <random>

#include "broker/records/record_iterator.h"
#include "broker/records/validate.h"
#include "tests/unit/records/test_util.h"

namespace runnel::records {
namespace {

// Accepted batches must be internally consistent: exactly records_count records, no error.
void expect_iterates(const BatchInfo& info) {
  std::vector<uint8_t> body(info.data + layout::records, info.data + info.size);
  if (info.header.compression() != Compression::none) {
    std::vector<uint8_t> raw;
    ASSERT_EQ(decompress(info.header.compression(), body.data(), body.size(), raw, 64u << 20),
              CodecStatus::ok);
    body.swap(raw);
  }
  RecordReader reader(body.data(), body.size(), info.header.records_count);
  RecordView v;
  int32_t n = 0;
  while (reader.next(v)) ++n;
  EXPECT_EQ(reader.error(), RecordError::none);
  EXPECT_EQ(n, info.header.records_count);
}

TEST(Robustness, RandomDamageNeverCrashes) {
  std::mt19937 rng(1234);
  auto set = test::make_records(12);
  int accepted = 0;
  int rejected = 0;
  for (Compression c : {Compression::none, Compression::gzip, Compression::snappy, Compression::lz4,
                        Compression::zstd}) {
    const auto pristine = test::build(set, c);
    for (int round = 0; round < 600; ++round) {
      auto batch = pristine;
      int flips = 1 + int(rng() % 4);
      for (int f = 0; f < flips; ++f) {
        // Mostly damage the body; sometimes the header fields the CRC covers.
        size_t lo = (rng() % 4 == 0) ? layout::attributes : layout::records;
        size_t at = lo + rng() % (batch.size() - lo);
        batch[at] = uint8_t(rng());
      }
      if (rng() % 8 == 0) batch.resize(layout::records + rng() % (batch.size() - layout::records));
      store_be32(batch.data() + layout::batch_length, uint32_t(batch.size() - layout::log_overhead));
      test::fix_crc(batch);
      std::vector<BatchInfo> out;
      ValidationLimits limits;
      limits.now_ms = test::kBaseTs;
      const bool valid = validate_produce_records(batch.data(), batch.size(), 11, limits, out).has_value();
      if (valid) {
        ++accepted;
        ASSERT_EQ(out.size(), 1u);
        expect_iterates(out[0]);
      } else {
        ++rejected;
      }
    }
  }
  // Both outcomes must occur, or the damage is not reaching the checks.
  EXPECT_GT(accepted, 0);
  EXPECT_GT(rejected, 1000);
}

}  // namespace
}  // namespace runnel::records
