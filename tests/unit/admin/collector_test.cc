#include <gtest/gtest.h>

#include <prometheus/text_serializer.h>

#include "broker/admin/collector.h"
#include "broker/admin/partition_view.h"

namespace runnel::admin {
namespace {

metrics::PartitionStats part(const std::string& topic, int32_t p, int64_t leo) {
  metrics::PartitionStats s;
  s.topic = topic;
  s.partition = p;
  s.log_end_offset = leo;
  s.high_watermark = leo;
  s.size_bytes = leo * 100;
  s.segment_count = 1;
  return s;
}

std::string render(const BrokerCollector& c) { return prometheus::TextSerializer().Serialize(c.Collect()); }

bool has_line(const std::string& text, const std::string& line) {
  return text.find("\n" + line + "\n") != std::string::npos;
}

class CollectorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    probe.init(2);
    probe.shard(0).publish({part("b", 0, 10), part("a", 1, 7)}, 1);
    probe.shard(1).publish({part("a", 0, 5)}, 1);
  }
  metrics::BrokerProbe probe;
};

TEST_F(CollectorTest, RequestsAreSummedOverShardsWithNamedLabels) {
  probe.shard(0).on_request(0, 9, 0);
  probe.shard(1).on_request(0, 9, 0);
  probe.shard(1).on_request(3, 12, 0);
  probe.shard(1).on_request(0, 9, 3);
  probe.shard(0).on_request(-1, -1, 42);
  std::string text = render(BrokerCollector(probe, 100));
  EXPECT_TRUE(has_line(text, R"(runnel_requests_total{api="Produce",version="9",error="NONE"} 2)")) << text;
  EXPECT_TRUE(has_line(text, R"(runnel_requests_total{api="Metadata",version="12",error="NONE"} 1)")) << text;
  EXPECT_TRUE(has_line(text,
                       R"(runnel_requests_total{api="Produce",version="9",error="UNKNOWN_TOPIC_OR_PARTITION"} 1)"))
      << text;
  EXPECT_TRUE(has_line(text, R"(runnel_requests_total{api="Unknown",version="-1",error="INVALID_REQUEST"} 1)"))
      << text;
}

TEST_F(CollectorTest, LatencyHistogramsAreInSecondsAndCountEqualsInf) {
  probe.shard(0).on_processed(0, 1'000, 2'000'000);    // queue 1 µs, process 2 ms
  probe.shard(1).on_processed(0, 1'000, 40'000'000);   // process 40 ms
  probe.shard(1).on_sent(0, 500'000, 45'000'000);
  std::string text = render(BrokerCollector(probe, 100));
  EXPECT_TRUE(has_line(text, R"(runnel_request_process_seconds_count{api="Produce"} 2)")) << text;
  EXPECT_TRUE(has_line(text, R"(runnel_request_process_seconds_bucket{api="Produce",le="0.0025"} 1)")) << text;
  EXPECT_TRUE(has_line(text, R"(runnel_request_process_seconds_bucket{api="Produce",le="0.05"} 2)")) << text;
  EXPECT_TRUE(has_line(text, R"(runnel_request_process_seconds_bucket{api="Produce",le="+Inf"} 2)")) << text;
  EXPECT_TRUE(has_line(text, R"(runnel_request_process_seconds_sum{api="Produce"} 0.042)")) << text;
  EXPECT_TRUE(has_line(text, R"(runnel_request_latency_seconds_count{api="Produce"} 1)")) << text;
  EXPECT_EQ(text.find(R"(runnel_request_process_seconds_count{api="Fetch"})"), std::string::npos)
      << "APIs never called export no series";
}

TEST_F(CollectorTest, PartitionSeriesAreCappedInTopicPartitionOrder) {
  std::string text = render(BrokerCollector(probe, 2));
  EXPECT_TRUE(has_line(text, R"(runnel_partition_log_end_offset{partition="0",topic="a"} 5)")) << text;
  EXPECT_TRUE(has_line(text, R"(runnel_partition_log_end_offset{partition="1",topic="a"} 7)")) << text;
  EXPECT_EQ(text.find(R"(topic="b")"), std::string::npos) << text;
  EXPECT_TRUE(has_line(text, "runnel_partitions 3")) << text;
  EXPECT_TRUE(has_line(text, "runnel_metrics_partitions_omitted 1")) << text;
  EXPECT_TRUE(has_line(text, "runnel_under_replicated_partitions 0")) << text;

  std::string all = render(BrokerCollector(probe, 1000));
  EXPECT_TRUE(has_line(all, R"(runnel_partition_size_bytes{partition="0",topic="b"} 1000)")) << all;
  EXPECT_TRUE(has_line(all, "runnel_metrics_partitions_omitted 0")) << all;
}

TEST_F(CollectorTest, GroupLagIsHighWatermarkMinusCommitted) {
  auto groups = std::make_shared<metrics::GroupSnapshot>();
  metrics::GroupStats g;
  g.group_id = "g1";
  g.state = "Empty";
  g.members = 0;
  g.offsets = {{"a", 0, 2}, {"b", 0, 10}, {"a", 1, -1}, {"missing", 0, 3}};
  groups->push_back(g);
  probe.shard(1).publish_groups(groups);
  std::string text = render(BrokerCollector(probe, 1000));
  EXPECT_TRUE(has_line(text, R"(runnel_consumer_group_lag{group="g1",partition="0",topic="a"} 3)")) << text;
  EXPECT_TRUE(has_line(text, R"(runnel_consumer_group_lag{group="g1",partition="0",topic="b"} 0)")) << text;
  EXPECT_EQ(text.find(R"(runnel_consumer_group_lag{group="g1",partition="1",topic="a"})"), std::string::npos)
      << "no committed offset: no lag series";
  EXPECT_TRUE(has_line(text, R"(runnel_consumer_group_state{group="g1",state="Empty"} 1)")) << text;
  EXPECT_TRUE(has_line(text, R"(runnel_consumer_group_members{group="g1"} 0)")) << text;
  EXPECT_TRUE(has_line(text, "runnel_consumer_groups 1")) << text;
}

TEST_F(CollectorTest, TrafficIsSummedPerTopic) {
  probe.shard(0).on_produced("a", 100, 4);
  probe.shard(1).on_produced("a", 50, 2);
  probe.shard(1).on_fetched("a", 30);
  probe.shard(0).publish({}, 2);
  probe.shard(1).publish({}, 2);
  std::string text = render(BrokerCollector(probe, 1000));
  EXPECT_TRUE(has_line(text, R"(runnel_topic_bytes_in_total{topic="a"} 150)")) << text;
  EXPECT_TRUE(has_line(text, R"(runnel_topic_records_in_total{topic="a"} 6)")) << text;
  EXPECT_TRUE(has_line(text, R"(runnel_topic_bytes_out_total{topic="a"} 30)")) << text;
}

TEST_F(CollectorTest, QuorumSeriesOnlyWhereAQuorumMemberRuns) {
  EXPECT_EQ(render(BrokerCollector(probe, 100)).find("runnel_quorum_"), std::string::npos);
  probe.mark_metadata_loaded("cid");
  metrics::QuorumSnapshot q;
  q.node_id = 2;
  q.role = "leader";
  q.leader_id = 2;
  q.epoch = 7;
  q.high_watermark = 40;
  q.log_end_offset = 42;
  q.voters = {{.id = 1, .log_end_offset = 30, .last_fetch_age_ms = 1500}, {.id = 2, .log_end_offset = 42, .last_fetch_age_ms = 0},
              {.id = 3}};
  probe.publish_quorum(std::make_shared<metrics::QuorumSnapshot>(q));
  probe.shard(0).on_quorum_persist(2'000'000);
  std::string text = render(BrokerCollector(probe, 100));
  EXPECT_TRUE(has_line(text, R"(runnel_quorum_role{role="leader"} 1)")) << text;
  EXPECT_TRUE(has_line(text, R"(runnel_quorum_role{role="follower"} 0)")) << text;
  EXPECT_TRUE(has_line(text, R"(runnel_quorum_role{role="observer"} 0)")) << text;
  EXPECT_TRUE(has_line(text, R"(runnel_quorum_active_controller{cluster_id="cid"} 1)")) << text;
  EXPECT_TRUE(has_line(text, "runnel_quorum_leader_id 2")) << text;
  EXPECT_TRUE(has_line(text, "runnel_quorum_epoch 7")) << text;
  EXPECT_TRUE(has_line(text, "runnel_quorum_high_watermark 40")) << text;
  EXPECT_TRUE(has_line(text, "runnel_quorum_log_end_offset 42")) << text;
  EXPECT_TRUE(has_line(text, "runnel_quorum_failed 0")) << text;
  EXPECT_TRUE(has_line(text, "runnel_quorum_voters 3")) << text;
  EXPECT_TRUE(has_line(text, R"(runnel_quorum_follower_lag_records{voter="1"} 12)")) << text;
  EXPECT_TRUE(has_line(text, R"(runnel_quorum_follower_lag_records{voter="2"} 0)")) << text;
  EXPECT_TRUE(has_line(text, R"(runnel_quorum_follower_fetch_age_seconds{voter="1"} 1.5)")) << text;
  EXPECT_EQ(text.find(R"(voter="3")"), std::string::npos) << text;  // not heard from: no series
  EXPECT_TRUE(has_line(text, R"(runnel_quorum_persist_seconds_bucket{le="0.0025"} 1)")) << text;
  EXPECT_EQ(text.find("\nrunnel_cluster_brokers"), std::string::npos) << text;  // no image yet

  q.brokers_known = true;
  q.brokers = {{.id = 1, .state = "unfenced"}, {.id = 2, .state = "fenced"}, {.id = 3, .state = "unfenced"}};
  probe.publish_quorum(std::make_shared<metrics::QuorumSnapshot>(q));
  text = render(BrokerCollector(probe, 100));
  EXPECT_TRUE(has_line(text, R"(runnel_cluster_brokers{state="unfenced"} 2)")) << text;
  EXPECT_TRUE(has_line(text, R"(runnel_cluster_brokers{state="fenced"} 1)")) << text;
  EXPECT_TRUE(has_line(text, R"(runnel_cluster_brokers{state="shutting_down"} 0)")) << text;

  q.role = "follower";
  q.voters = {{.id = 1}, {.id = 2}, {.id = 3}};
  probe.publish_quorum(std::make_shared<metrics::QuorumSnapshot>(q));
  text = render(BrokerCollector(probe, 100));
  EXPECT_TRUE(has_line(text, R"(runnel_quorum_active_controller{cluster_id="cid"} 0)")) << text;
  EXPECT_EQ(text.find("\nrunnel_quorum_follower_"), std::string::npos) << text;  // only the leader knows
}

TEST(PartitionView, FindsAndSorts) {
  metrics::BrokerProbe probe;
  probe.init(2);
  probe.shard(0).publish({part("b", 0, 1), part("a", 2, 1)}, 5);
  probe.shard(1).publish({part("a", 0, 1)}, 3);
  PartitionView v = PartitionView::gather(probe);
  ASSERT_EQ(v.partitions.size(), 3u);
  EXPECT_EQ(v.partitions[0]->topic, "a");
  EXPECT_EQ(v.partitions[0]->partition, 0);
  EXPECT_EQ(v.owner[0], 1);
  EXPECT_EQ(v.partitions[2]->topic, "b");
  EXPECT_EQ(v.oldest_ns, 3);
  EXPECT_NE(v.find("a", 2), nullptr);
  EXPECT_EQ(v.find("a", 1), nullptr);
  EXPECT_EQ(v.find("c", 0), nullptr);
}

}  // namespace
}  // namespace runnel::admin
