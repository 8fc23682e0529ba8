// Behaviour of the generated codecs that the sample-based suites do not reach: unknown tagged
// fields, version gating, nullability rules, and hand-checked bytes for a few messages.

#include <gtest/gtest.h>

#include <vector>

#include "broker/protocol/generated/api_versions_request.h"
#include "broker/protocol/generated/api_versions_response.h"
#include "broker/protocol/generated/fetch_response.h"
#include "broker/protocol/generated/metadata_request.h"
#include "broker/protocol/generated/produce_request.h"
#include "broker/protocol/generated/request_header.h"

namespace runnel::protocol {
namespace {

template <typename M>
std::vector<uint8_t> encode(const M& m, int16_t v) {
  std::vector<uint8_t> out;
  Writer w(out);
  m.encode(w, v);
  return out;
}

template <typename M>
bool decode(const std::vector<uint8_t>& bytes, int16_t v, M& m) {
  Reader r(bytes.data(), bytes.size());
  return m.decode(r, v) && r.remaining() == 0;
}

TEST(GeneratedApi, RequestHeaderV2KeepsClientIdNonCompact) {
  RequestHeader h;
  h.request_api_key = 18;
  h.request_api_version = 3;
  h.correlation_id = 7;
  h.client_id = "ab";
  // int16 length for ClientId even in the flexible v2, then an empty tagged-field section.
  EXPECT_EQ(encode(h, 2), (std::vector<uint8_t>{0, 18, 0, 3, 0, 0, 0, 7, 0, 2, 'a', 'b', 0}));
  h.client_id.reset();
  EXPECT_EQ(encode(h, 1), (std::vector<uint8_t>{0, 18, 0, 3, 0, 0, 0, 7, 0xff, 0xff}));
  EXPECT_EQ(encode(h, 0), (std::vector<uint8_t>{0, 18, 0, 3, 0, 0, 0, 7}));
}

TEST(GeneratedApi, ApiVersionsRequestV3Bytes) {
  ApiVersionsRequest req;
  req.client_software_name = "c";
  req.client_software_version = "1";
  EXPECT_EQ(encode(req, 3), (std::vector<uint8_t>{2, 'c', 2, '1', 0}));
  EXPECT_TRUE(encode(req, 2).empty());  // v0-v2 have no fields
}

TEST(GeneratedApi, UnknownTaggedFieldsSurviveAndInterleaveByTag) {
  ApiVersionsResponse resp;
  resp.finalized_features_epoch = 5;  // known tag 1
  resp.unknown_tagged_fields = {RawTaggedField{0x7f, {1, 2}}};
  std::vector<uint8_t> bytes = encode(resp, 3);
  ApiVersionsResponse back;
  ASSERT_TRUE(decode(bytes, 3, back));
  EXPECT_EQ(back.finalized_features_epoch, 5);
  ASSERT_EQ(back.unknown_tagged_fields.size(), 1u);
  EXPECT_EQ(back.unknown_tagged_fields[0].tag, 0x7fu);
  EXPECT_EQ(back, resp);
  EXPECT_EQ(encode(back, 3), bytes);
  // Tail: 2 tagged fields; tag 1 (8 bytes) before the unknown tag 127 (2 bytes).
  const std::vector<uint8_t> tail = {2, 1, 8, 0, 0, 0, 0, 0, 0, 0, 5, 0x7f, 2, 1, 2};
  ASSERT_GE(bytes.size(), tail.size());
  EXPECT_TRUE(std::equal(tail.begin(), tail.end(), bytes.end() - static_cast<std::ptrdiff_t>(tail.size())));
}

TEST(GeneratedApi, KnownTaggedFieldWithWrongSizeIsRejected) {
  ApiVersionsResponse resp;
  resp.finalized_features_epoch = 5;
  std::vector<uint8_t> bytes = encode(resp, 3);
  // Tail is {1 field, tag 1, size 8, 8 bytes}; claim size 9 by stealing nothing: now short.
  bytes[bytes.size() - 9] = 9;
  ApiVersionsResponse back;
  EXPECT_FALSE(decode(bytes, 3, back));
  bytes[bytes.size() - 9] = 7;  // value shorter than an int64
  EXPECT_FALSE(decode(bytes, 3, back));
}

TEST(GeneratedApi, DefaultTaggedFieldsAreNotWritten) {
  ApiVersionsResponse resp;
  std::vector<uint8_t> bytes = encode(resp, 3);
  EXPECT_EQ(bytes.back(), 0);  // empty tagged-field section
  EXPECT_EQ(resp.finalized_features_epoch, -1);
  EXPECT_EQ(resp.encoded_size(3), bytes.size());
}

TEST(GeneratedApi, FieldsAbsentFromAVersionAreSkippedAndDefaulted) {
  ProduceRequest req;
  req.transactional_id = "tx";  // versions 3+
  req.acks = -1;
  ProduceRequest back;
  ASSERT_TRUE(decode(encode(req, 2), 2, back));
  EXPECT_FALSE(back.transactional_id.has_value());  // schema default is null
  EXPECT_EQ(back.acks, -1);
}

TEST(GeneratedApi, ProduceRecordsPointIntoTheRequestBuffer) {
  static const uint8_t kBatch[] = {1, 2, 3, 4};
  ProduceRequest req;
  auto& topic = req.topic_data.emplace_back();
  topic.name = "t";
  auto& part = topic.partition_data.emplace_back();
  part.index = 3;
  part.records = RecordsRef{kBatch, sizeof(kBatch), false};
  std::vector<uint8_t> bytes = encode(req, 9);
  ProduceRequest back;
  ASSERT_TRUE(decode(bytes, 9, back));
  const RecordsRef& rec = back.topic_data.at(0).partition_data.at(0).records;
  EXPECT_GE(rec.data, bytes.data());
  EXPECT_LE(rec.data + rec.size, bytes.data() + bytes.size());
  EXPECT_EQ(rec, part.records);
}

TEST(GeneratedApi, NullWhereAVersionForbidsItFailsToDecode) {
  // MetadataRequest.Topics is nullable only from v1: a null array at v0 is malformed.
  const std::vector<uint8_t> null_topics = {0xff, 0xff, 0xff, 0xff};
  MetadataRequest req;
  EXPECT_FALSE(decode(null_topics, 0, req));
  ASSERT_TRUE(decode(null_topics, 1, req));
  EXPECT_FALSE(req.topics.has_value());
  // Encoding null at v0 writes an empty array instead (encode cannot fail).
  EXPECT_EQ(encode(req, 0), (std::vector<uint8_t>{0, 0, 0, 0}));
}

TEST(GeneratedApi, FetchResponseTaggedStructsOnlyWhenNonDefault) {
  FetchResponse resp;
  auto& topic = resp.responses.emplace_back();
  topic.topic_id.bytes[0] = 1;
  auto& part = topic.partitions.emplace_back();
  part.records = RecordsRef{};  // null records
  std::vector<uint8_t> plain = encode(resp, 13);
  part.current_leader.leader_id = 4;
  part.current_leader.leader_epoch = 9;
  std::vector<uint8_t> with_leader = encode(resp, 13);
  EXPECT_GT(with_leader.size(), plain.size());
  FetchResponse back;
  ASSERT_TRUE(decode(with_leader, 13, back));
  EXPECT_EQ(back.responses.at(0).partitions.at(0).current_leader.leader_id, 4);
  EXPECT_EQ(back, resp);
}

}  // namespace
}  // namespace runnel::protocol
