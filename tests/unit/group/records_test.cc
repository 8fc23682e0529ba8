#include <gtest/gtest.h>

#include "broker/group/consumer_protocol.h"
#include "broker/group/offsets_partition.h"
#include "broker/group/records.h"

namespace runnel::group {
namespace {

TEST(OffsetsPartition, MatchesJavaStringHashCode) {
  // Expected values computed with Java's String.hashCode semantics (UTF-16 code units).
  EXPECT_EQ(java_string_hash(""), 0);
  EXPECT_EQ(java_string_hash("abc"), 96354);
  EXPECT_EQ(java_string_hash("my-group"), -1906497762);
  EXPECT_EQ(java_string_hash("grüße"), 98768023);
  EXPECT_EQ(java_string_hash("\xF0\x9F\x98\x80x"), 54959989);  // surrogate pair + 'x'
  EXPECT_EQ(offsets_partition_for("my-group", 50), 36);
  EXPECT_EQ(offsets_partition_for("console-consumer-12345", 50), 6);
}

TEST(Records, OffsetRoundTrip) {
  OffsetKey k{"g", "topic", 7};
  auto dk = decode_key(encode_key(k));
  ASSERT_TRUE(dk);
  auto* ok = std::get_if<OffsetKey>(&*dk);
  ASSERT_NE(ok, nullptr);
  EXPECT_EQ(ok->group, "g");
  EXPECT_EQ(ok->topic, "topic");
  EXPECT_EQ(ok->partition, 7);
  OffsetValue v{42, 3, std::string("meta"), 123456};
  auto dv = decode_offset_value(encode_value(v));
  ASSERT_TRUE(dv);
  EXPECT_EQ(dv->offset, 42);
  EXPECT_EQ(dv->leader_epoch, 3);
  EXPECT_EQ(dv->metadata, "meta");
  EXPECT_EQ(dv->commit_timestamp_ms, 123456);
  OffsetValue null_meta{1, -1, std::nullopt, 5};
  EXPECT_FALSE(decode_offset_value(encode_value(null_meta))->metadata.has_value());
}

TEST(Records, GroupRoundTrip) {
  GroupValue v;
  v.protocol_type = "consumer";
  v.generation = 9;
  v.protocol_name = "range";
  v.leader = "m1";
  v.state_timestamp_ms = 77;
  v.members.push_back(MemberValue{"m1", std::string("i1"), "c", "/h", 500, 100, {1, 2}, {3}});
  auto d = decode_group_value(encode_value(v));
  ASSERT_TRUE(d);
  EXPECT_EQ(d->generation, 9);
  EXPECT_EQ(d->leader, "m1");
  ASSERT_EQ(d->members.size(), 1u);
  EXPECT_EQ(d->members[0].instance_id, "i1");
  EXPECT_EQ(d->members[0].subscription, (std::vector<uint8_t>{1, 2}));
  EXPECT_EQ(d->members[0].assignment, (std::vector<uint8_t>{3}));
  auto gk = decode_key(encode_key(GroupKey{"g"}));
  ASSERT_TRUE(gk);
  EXPECT_EQ(std::get<GroupKey>(*gk).group, "g");
}

TEST(Records, GarbageIsRejectedNotCrashed) {
  std::string enc = encode_value(GroupValue{"consumer", 1, "r", "m", 0, {MemberValue{"m", {}, "c", "h", 1, 1, {}, {}}}});
  for (size_t cut = 0; cut < enc.size(); ++cut) EXPECT_FALSE(decode_group_value(enc.substr(0, cut))) << cut;
  EXPECT_FALSE(decode_key(""));
  EXPECT_FALSE(decode_key(std::string("\x00\x07", 2)));  // unknown key type
  EXPECT_FALSE(decode_offset_value(std::string("\x00\x01", 2)));  // unknown version
}

TEST(ConsumerProtocol, SubscriptionTopics) {
  std::vector<uint8_t> md = {0, 1, 0, 0, 0, 2, 0, 1, 'a', 0, 2, 'b', 'c', 0xff, 0xff, 0xff, 0xff};
  EXPECT_EQ(subscription_topics(md), (std::vector<std::string>{"a", "bc"}));
  EXPECT_TRUE(subscription_topics({0, 1, 0, 0, 0, 9}).empty());
}

}  // namespace
}  // namespace runnel::group
