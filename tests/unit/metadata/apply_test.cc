// Applying records to the image: Kafka's replay rules, refusals, structural sharing, and the
// cost of a large cluster's worth of records.

#include <gtest/gtest.h>

#include <chrono>

#include "broker/metadata/image_builder.h"
#include "test_records.h"

namespace runnel::metadata {
namespace {

using test::nodes;
using test::uuid_of;

Image applied(std::vector<Record> records) {
  auto image = apply_all(Image{}, records, Offset(static_cast<int64_t>(records.size()) - 1));
  RUNNEL_ASSERT(image.has_value(), "records do not apply: %s", image.error().detail.c_str());
  return std::move(image).value();
}

TEST(Apply, EveryTypeOnTheEmptyImage) {
  Image image = applied(test::one_of_each());
  EXPECT_EQ(image.highest_offset(), Offset(14));  // the last, a NoOpRecord, moves only the offset
  EXPECT_EQ(image.features().at("metadata.version"), 21);
  ASSERT_EQ(image.brokers().size(), 1u);  // 2 unregistered
  EXPECT_EQ(image.broker(NodeId(1))->state(), BrokerState::unfenced);
  EXPECT_EQ(image.broker(NodeId(1))->rack, "rack-a");
  EXPECT_TRUE(image.topics().empty());  // removed, with its configs
  EXPECT_TRUE(image.configs().topics.empty());
  EXPECT_EQ(image.configs().cluster_default.at("log.retention.ms"), "1000");
  EXPECT_EQ(image.producer_ids().next_producer_id, 1000);
}

TEST(Apply, PartitionChangeBumpsEpochsAsKafkaDoes) {
  Uuid t = uuid_of(1);
  Image image = applied({test::broker(1), test::broker(2), TopicRecord{"t", t},
                         PartitionRecord{PartitionId(0), t, nodes({1, 2}), nodes({1, 2}), {}, {}, NodeId(1),
                                         LeaderEpoch(0), PartitionEpoch(0)}});
  // An ISR shrink: the partition epoch moves, the leader epoch does not.
  auto shrunk = apply(image, PartitionChangeRecord{PartitionId(0), t, nodes({1})}, Offset(10));
  ASSERT_TRUE(shrunk.has_value());
  const PartitionRegistration* p = shrunk->partition(t, PartitionId(0));
  EXPECT_EQ(p->isr, nodes({1}));
  EXPECT_EQ(p->leader_epoch, LeaderEpoch(0));
  EXPECT_EQ(p->partition_epoch, PartitionEpoch(1));
  // A leader change moves both.
  auto moved = apply(*shrunk, PartitionChangeRecord{PartitionId(0), t, nodes({2}), NodeId(2)}, Offset(11));
  ASSERT_TRUE(moved.has_value());
  p = moved->partition(t, PartitionId(0));
  EXPECT_EQ(p->leader, NodeId(2));
  EXPECT_EQ(p->leader_epoch, LeaderEpoch(1));
  EXPECT_EQ(p->partition_epoch, PartitionEpoch(2));
  // The old images did not change.
  EXPECT_EQ(image.partition(t, PartitionId(0))->isr, nodes({1, 2}));
  EXPECT_EQ(shrunk->partition(t, PartitionId(0))->leader, NodeId(1));
}

TEST(Apply, RefusesRecordsThatBreakTheRules) {
  Uuid t = uuid_of(1);
  Image image = applied({test::broker(1), TopicRecord{"t", t},
                         PartitionRecord{PartitionId(0), t, nodes({1}), nodes({1}), {}, {}, NodeId(1)}});
  auto code = [&](Record r) {
    auto out = apply(image, r, Offset(100));
    return out.has_value() ? std::string("applied") : std::string(name(out.error().code));
  };
  EXPECT_EQ(code(TopicRecord{"t", uuid_of(2)}), "duplicate_topic");
  EXPECT_EQ(code(TopicRecord{"u", t}), "duplicate_topic");
  EXPECT_EQ(code(PartitionRecord{PartitionId(2), t, nodes({1}), nodes({1})}), "unknown_partition");
  EXPECT_EQ(code(PartitionRecord{PartitionId(1), uuid_of(9), nodes({1}), nodes({1})}), "unknown_topic");
  EXPECT_EQ(code(PartitionRecord{PartitionId(1), t, nodes({}), nodes({})}), "invalid_partition");
  EXPECT_EQ(code(PartitionRecord{PartitionId(1), t, nodes({1, 1}), nodes({1})}), "invalid_partition");
  EXPECT_EQ(code(PartitionRecord{PartitionId(1), t, nodes({1}), nodes({2})}), "invalid_partition");
  EXPECT_EQ(code(PartitionChangeRecord{PartitionId(0), t, nodes({}), std::nullopt}), "invalid_partition");
  EXPECT_EQ(code(PartitionChangeRecord{PartitionId(3), t}), "unknown_partition");
  EXPECT_EQ(code(BrokerRegistrationChangeRecord{NodeId(7), BrokerEpoch(0)}), "unknown_broker");
  EXPECT_EQ(code(BrokerRegistrationChangeRecord{NodeId(1), BrokerEpoch(5)}), "stale_broker_epoch");
  EXPECT_EQ(code(UnregisterBrokerRecord{NodeId(1), BrokerEpoch(5)}), "stale_broker_epoch");
  EXPECT_EQ(code(ConfigRecord{ConfigResourceType::broker, "x1", "a", "b"}), "invalid_config_resource");
  EXPECT_EQ(code(ConfigRecord{ConfigResourceType::topic, "nope", "a", "b"}), "unknown_topic");
  EXPECT_EQ(code(ProducerIdsRecord{NodeId(1), BrokerEpoch(101), 0}), "producer_ids_not_increasing");
  EXPECT_EQ(code(RemoveTopicRecord{uuid_of(9)}), "unknown_topic");
  EXPECT_EQ(apply(image, Record(test::broker(2)), Offset(2)).error().code, ApplyErrc::offset_not_increasing);
}

TEST(Apply, BrokerStates) {
  Image image = applied({test::broker(1, std::nullopt, /*fenced=*/true)});
  EXPECT_EQ(image.broker(NodeId(1))->state(), BrokerState::fenced);
  auto unfenced = apply(image, BrokerRegistrationChangeRecord{NodeId(1), BrokerEpoch(101), FencingChange::unfence},
                        Offset(1));
  EXPECT_EQ(unfenced->broker(NodeId(1))->state(), BrokerState::unfenced);
  auto stopping = apply(*unfenced,
                        BrokerRegistrationChangeRecord{NodeId(1), BrokerEpoch(101), FencingChange::none, true}, Offset(2));
  EXPECT_EQ(stopping->broker(NodeId(1))->state(), BrokerState::shutting_down);
  auto fenced = apply(*stopping, BrokerRegistrationChangeRecord{NodeId(1), BrokerEpoch(101), FencingChange::fence},
                      Offset(3));
  EXPECT_EQ(fenced->broker(NodeId(1))->state(), BrokerState::fenced);
}

TEST(Apply, UntouchedTopicsAreShared) {
  std::vector<Record> records{test::broker(1)};
  for (uint64_t i = 0; i < 3; ++i) {
    records.push_back(TopicRecord{"t" + std::to_string(i), uuid_of(i)});
    records.push_back(PartitionRecord{PartitionId(0), uuid_of(i), nodes({1}), nodes({1}), {}, {}, NodeId(1)});
  }
  Image before = applied(records);
  auto after = apply(before, PartitionChangeRecord{PartitionId(0), uuid_of(1), std::nullopt, NodeId(1)}, Offset(100));
  ASSERT_TRUE(after.has_value());
  EXPECT_EQ(before.topics().at(uuid_of(0)).get(), after->topics().at(uuid_of(0)).get());
  EXPECT_EQ(before.topics().at(uuid_of(2)).get(), after->topics().at(uuid_of(2)).get());
  EXPECT_NE(before.topics().at(uuid_of(1)).get(), after->topics().at(uuid_of(1)).get());
  EXPECT_EQ(&before.brokers(), &after->brokers());
}

TEST(Apply, BuilderKeepsBuiltImagesUnchanged) {
  Uuid t = uuid_of(1);
  ImageBuilder builder{applied({test::broker(1), test::broker(2), TopicRecord{"t", t},
                                PartitionRecord{PartitionId(0), t, nodes({1, 2}), nodes({1, 2}), {}, {}, NodeId(1)}})};
  ASSERT_TRUE(builder.apply(PartitionChangeRecord{PartitionId(0), t, nodes({1})}, Offset(10)).has_value());
  Image first = builder.build();
  ASSERT_TRUE(builder.apply(PartitionChangeRecord{PartitionId(0), t, nodes({1, 2})}, Offset(11)).has_value());
  Image second = builder.build();
  EXPECT_EQ(first.partition(t, PartitionId(0))->isr, nodes({1}));
  EXPECT_EQ(second.partition(t, PartitionId(0))->isr, nodes({1, 2}));
}

// 1,000 topics x 10 partitions, then 100,000 records (creation, then ISR and leader changes)
// applied in batches of 1,000 as committed batches would come. Logged, not timed: CI machines
// vary, and the point is the order of magnitude (copying every topic per record would take
// minutes).
TEST(Apply, HundredThousandRecordsOnTenThousandPartitions) {
  constexpr int kTopics = 1000, kPartitions = 10, kRecords = 100000, kBatch = 1000;
  std::vector<Record> records;
  for (int32_t b = 0; b < 5; ++b) records.push_back(test::broker(b));
  for (uint64_t t = 0; t < kTopics; ++t) {
    records.push_back(TopicRecord{"topic-" + std::to_string(t), uuid_of(t)});
    for (int32_t p = 0; p < kPartitions; ++p) {
      auto r = [&](int32_t k) { return NodeId((static_cast<int32_t>(t) + p + k) % 5); };
      records.push_back(PartitionRecord{PartitionId(p), uuid_of(t), {r(0), r(1), r(2)}, {r(0), r(1), r(2)}, {}, {}, r(0)});
    }
  }
  std::mt19937_64 rng(1);
  while (records.size() < kRecords) {
    uint64_t t = rng() % kTopics;
    auto p = static_cast<int32_t>(rng() % kPartitions);
    auto r = [&](int32_t k) { return NodeId((static_cast<int32_t>(t) + p + k) % 5); };
    if (rng() % 2 == 0) {
      records.push_back(PartitionChangeRecord{PartitionId(p), uuid_of(t), std::vector<NodeId>{r(0), r(1)}});
    } else {
      records.push_back(PartitionChangeRecord{PartitionId(p), uuid_of(t), std::vector<NodeId>{r(0), r(1), r(2)}, r(0)});
    }
  }
  auto start = std::chrono::steady_clock::now();
  Image image;
  for (size_t i = 0; i < records.size(); i += kBatch) {
    ImageBuilder builder(image);
    size_t end = std::min(records.size(), i + kBatch);
    for (size_t j = i; j < end; ++j) {
      ASSERT_TRUE(builder.apply(records[j], Offset(static_cast<int64_t>(j))).has_value()) << j;
    }
    image = builder.build();
  }
  auto ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  std::printf("applied %zu records (%d topics x %d partitions) in batches of %d: %.1f ms\n", records.size(), kTopics,
              kPartitions, kBatch, ms);
  EXPECT_EQ(image.topics().size(), static_cast<size_t>(kTopics));
  EXPECT_EQ(image.highest_offset(), Offset(kRecords - 1));

  // For comparison: one builder for all of them, and one image per record (what structural
  // sharing per batch saves; the per-record cost grows with the number of topics).
  start = std::chrono::steady_clock::now();
  ImageBuilder all{Image{}};
  for (size_t j = 0; j < records.size(); ++j) ASSERT_TRUE(all.apply(records[j], Offset(static_cast<int64_t>(j))));
  Image whole = all.build();
  ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  std::printf("the same records in one batch: %.1f ms\n", ms);
  EXPECT_TRUE(whole == image);
  constexpr int kSingles = 2000;
  start = std::chrono::steady_clock::now();
  for (int j = 0; j < kSingles; ++j) {
    auto next = apply(image, records[records.size() - kSingles + static_cast<size_t>(j)],
                      Offset(kRecords + j));
    ASSERT_TRUE(next.has_value());
    image = std::move(next).value();
  }
  ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  std::printf("one image per record on 1,000 topics: %.1f us per record (%.0f ms per 100,000)\n",
              1000 * ms / kSingles, ms * 100000 / kSingles);
}

}  // namespace
}  // namespace runnel::metadata
