// Batches encoded by a real client (kafka-python's DefaultRecordBatchBuilder), committed as a
// fixture by fixtures/make_kafka_python_batches.py: Runnel must accept them and read back exactly
// the records the client encoded.

#include <gtest/gtest.h>

#include <fstream>
#include <set>
#include <nlohmann/json.hpp>

#include "broker/records/record_iterator.h"
#include "broker/records/validate.h"
#include "tests/unit/records/test_util.h"

namespace runnel::records {
namespace {

nlohmann::json load_fixture() {
  std::ifstream in(std::string(RUNNEL_RECORDS_FIXTURES) + "/kafka_python_batches.json");
  EXPECT_TRUE(in.good()) << "fixture missing";
  return nlohmann::json::parse(in);
}

std::string hex_to_string(const nlohmann::json& v) {
  auto bytes = test::from_hex(v.get<std::string>());
  return std::string(bytes.begin(), bytes.end());
}

void expect_bytes(const BytesView& got, const nlohmann::json& want, const std::string& what) {
  if (want.is_null()) {
    EXPECT_TRUE(got.is_null()) << what;
  } else {
    ASSERT_FALSE(got.is_null()) << what;
    EXPECT_EQ(got.str(), hex_to_string(want)) << what;
  }
}

TEST(KafkaPythonInterop, ValidatesAndIteratesEveryFixture) {
  nlohmann::json fixture = load_fixture();
  ASSERT_GE(fixture.size(), 9u);
  for (const auto& entry : fixture) {
    const std::string name = entry["name"];
    SCOPED_TRACE(name);
    auto batch = test::from_hex(entry["batch"]);
    const auto& want = entry["records"];

    ValidationLimits limits;
    limits.now_ms = test::kBaseTs;
    std::vector<BatchInfo> out;
    Result<void, ProduceRejection> valid = validate_produce_records(batch.data(), batch.size(), 11, limits, out);
    ASSERT_TRUE(valid.has_value()) << valid.error().message;
    ASSERT_EQ(out.size(), 1u);
    const BatchHeader& h = out[0].header;
    EXPECT_EQ(h.records_count, int32_t(want.size()));

    std::vector<uint8_t> body(batch.begin() + layout::records, batch.end());
    if (h.compression() != Compression::none) {
      std::vector<uint8_t> raw;
      ASSERT_EQ(decompress(h.compression(), body.data(), body.size(), raw, 64u << 20), CodecStatus::ok);
      body = raw;
    }
    RecordReader reader(body.data(), body.size(), h.records_count);
    RecordView v;
    size_t i = 0;
    while (reader.next(v)) {
      ASSERT_LT(i, want.size());
      const auto& w = want[i];
      std::string at = test::concat("record ", int(i));
      EXPECT_EQ(v.offset_delta, w["offset_delta"].get<int32_t>()) << at;
      EXPECT_EQ(h.base_timestamp + v.timestamp_delta, w["timestamp"].get<int64_t>()) << at;
      expect_bytes(v.key, w["key"], at + " key");
      expect_bytes(v.value, w["value"], at + " value");
      ASSERT_EQ(size_t(v.header_count), w["headers"].size()) << at;
      auto it = v.headers();
      RecordHeaderView hv;
      for (const auto& wh : w["headers"]) {
        ASSERT_TRUE(it.next(hv));
        EXPECT_EQ(hv.key, wh[0].get<std::string>()) << at;
        expect_bytes(hv.value, wh[1], at + " header " + std::string(hv.key));
      }
      ++i;
    }
    EXPECT_EQ(reader.error(), RecordError::none);
    EXPECT_EQ(i, want.size());
    EXPECT_EQ(out[0].max_timestamp, h.max_timestamp) << "client and broker agree on max timestamp";
  }
}

TEST(KafkaPythonInterop, FixtureCoversEveryCodecAndVariant) {
  nlohmann::json fixture = load_fixture();
  std::set<std::string> names;
  for (const auto& e : fixture) names.insert(e["name"].get<std::string>());
  for (const char* n : {"none", "gzip", "snappy", "lz4", "zstd", "snappy_raw", "zstd_no_content_size",
                        "idempotent_zstd", "transactional_lz4"}) {
    EXPECT_TRUE(names.count(n)) << n;
  }
  // The raw snappy fixture really has no xerial framing, and the zstd one no content size.
  for (const auto& e : fixture) {
    auto batch = test::from_hex(e["batch"]);
    if (e["name"] == "snappy_raw") {
      EXPECT_NE(batch[layout::records], 0x82);
    }
    if (e["name"] == "snappy") {
      EXPECT_EQ(batch[layout::records], 0x82);
    }
    if (e["name"] == "zstd_no_content_size") {
      // Frame header descriptor: the content-size flag is in its top two bits.
      EXPECT_EQ(batch[layout::records + 4] & 0xC0, 0) << "FHD has a content size";
    }
  }
}

}  // namespace
}  // namespace runnel::records
