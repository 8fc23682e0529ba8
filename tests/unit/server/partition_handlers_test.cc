// Produce, Fetch and ListOffsets without a broker: their cores (partition_handlers.h) run on one
// ring against a fake PartitionRouter and an image built here; requests are encoded and
// responses decoded with the generated codecs, as on the wire.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "broker/protocol/generated/fetch_request.h"
#include "broker/protocol/generated/fetch_response.h"
#include "broker/protocol/generated/list_offsets_request.h"
#include "broker/protocol/generated/list_offsets_response.h"
#include "broker/protocol/generated/produce_request.h"
#include "broker/protocol/generated/produce_response.h"
#include "broker/records/batch_builder.h"
#include "broker/server/handlers/partition_handlers.h"

namespace runnel::server::handlers {
namespace {

// Answers from a script; records what the handlers asked.
class FakeRouter final : public PartitionRouter {
 public:
  struct Log {
    std::vector<uint8_t> bytes;  // what a read at any offset returns
    int64_t high_watermark = 0;
    int64_t log_start_offset = 0;
    ErrorCode read_error = ErrorCode::none;
  };
  std::map<TopicPartition, AppendOutcome> append_answers;  // default: offset 100, no error
  std::map<TopicPartition, Log> logs;
  std::map<TopicPartition, OffsetLookup> offsets;
  std::vector<std::pair<TopicPartition, size_t>> appended;
  std::vector<records::TimestampStamp> stamps_seen;
  std::vector<SharedBytes> batches_seen;
  std::vector<int16_t> acks_seen;
  std::vector<TopicPartition> read_calls;
  int session_plans = 0;
  FetchSessionCache sessions{0, 1, 100};

  Route route(const cluster::MetadataImage& image, const TopicPartition& tp) const override {
    const cluster::TopicInfo* t = image.topic(tp.topic);
    if (t == nullptr || !t->has_partition(tp.partition.value())) return Route{ErrorCode::unknown_topic_or_partition};
    return Route{ErrorCode::none, 0, t};
  }
  io::Task<AppendOutcome> append(const TopicPartition& tp, const SharedBytes& batches, records::TimestampStamp ts,
                                 int16_t acks) override {
    appended.emplace_back(tp, batches.size());
    stamps_seen.push_back(ts);
    batches_seen.push_back(batches);
    acks_seen.push_back(acks);
    auto it = append_answers.find(tp);
    co_return it != append_answers.end() ? it->second : AppendOutcome{ErrorCode::none, 100, 0};
  }
  io::Task<ReadOutcome> read(const TopicPartition& tp, const FetchPosition& pos, bool) override {
    read_calls.push_back(tp);
    ReadOutcome r;
    const Log& log = logs[tp];
    r.error = log.read_error;
    r.high_watermark = log.high_watermark;
    r.log_start_offset = log.log_start_offset;
    if (r.error == ErrorCode::none && pos.fetch_offset < log.high_watermark) {
      r.bytes.resize(log.bytes.size());
      std::copy(log.bytes.begin(), log.bytes.end(), r.bytes.data());
    }
    co_return r;
  }
  io::Task<OffsetLookup> list_offset(const TopicPartition& tp, int64_t, int32_t) override {
    co_return offsets[tp];
  }
  io::Task<SessionPlan> plan_session(const SessionRequest& req) override {
    ++session_plans;
    co_return sessions.plan(req, 0);
  }
  io::Task<std::vector<bool>> report_session(int32_t id, bool incremental,
                                             const std::vector<PartitionReport>& reports) override {
    co_return sessions.report(id, incremental, reports);
  }
};

class PartitionHandlers : public ::testing::Test {
 protected:
  PartitionHandlers() {
    auto image = std::make_shared<cluster::MetadataImage>();
    add_topic(*image, "orders", 2);
    image_ = image;
  }

  static void add_topic(cluster::MetadataImage& image, const std::string& name, int partitions) {
    auto t = std::make_shared<cluster::TopicInfo>();
    t->name = name;
    t->id = Uuid::random();
    t->partitions.resize(static_cast<size_t>(partitions));
    t->effective.max_message_bytes = 1048588;  // Kafka's defaults for the checks Produce makes
    t->effective.message_timestamp_before_max_ms = INT64_MAX;
    t->effective.message_timestamp_after_max_ms = INT64_MAX;
    image.name_by_id[t->id.to_base64()] = name;
    image.topics[name] = t;
  }

  // Encodes `req` at `version`, runs `serve` on it and decodes the response into `resp`.
  template <typename Req, typename Resp, typename Serve>
  HandlerStatus call(Serve serve, const Req& req, int16_t version, Resp& resp) {
    auto frame = std::make_shared<std::vector<uint8_t>>();
    std::vector<uint8_t>& in = *frame;
    protocol::Writer w(in);
    req.encode(w, version);
    info_ = RequestInfo{};
    info_.api_version = version;
    info_.frame = frame;
    PartitionEnv env{image_, router_, ring_, watch_, nullptr};
    std::vector<uint8_t> out;
    protocol::Writer ow(out);
    protocol::Reader body(in.data(), in.size());
    HandlerStatus status = ring_.block_on(serve(env, info_, body, ow));
    if (status == HandlerStatus::respond) {
      protocol::Reader r(out.data(), out.size());
      EXPECT_TRUE(resp.decode(r, version));
    }
    return status;
  }

  static std::vector<uint8_t> batch(int records, int64_t ts = 1'700'000'000'000) {
    std::vector<std::string> values;
    std::vector<records::RecordInput> in;
    for (int i = 0; i < records; ++i) values.push_back("value-" + std::to_string(i));
    for (int i = 0; i < records; ++i) {
      records::RecordInput r;
      r.value = values[static_cast<size_t>(i)];
      r.timestamp = ts + i;
      in.push_back(r);
    }
    return records::build_batch(records::BatchOptions{}, in);
  }

  cluster::ImagePtr image_;
  FakeRouter router_;
  io::Ring ring_;
  AppendWatch watch_;
  RequestInfo info_;
};

TopicPartition tp(const std::string& topic, int32_t p) { return TopicPartition{topic, PartitionId(p)}; }

// --- Produce ---

protocol::ProduceRequest produce_request(int16_t acks, const std::string& topic, std::vector<int32_t> partitions,
                                         const std::vector<uint8_t>& records) {
  protocol::ProduceRequest req;
  req.acks = acks;
  req.timeout_ms = 1000;
  auto& td = req.topic_data.emplace_back();
  td.name = topic;
  for (int32_t p : partitions) {
    auto& pd = td.partition_data.emplace_back();
    pd.index = p;
    pd.records = protocol::RecordsRef{records.data(), records.size(), false};
  }
  return req;
}

TEST_F(PartitionHandlers, ProduceAppendsValidatedBatchesThroughTheRouter) {
  std::vector<uint8_t> b = batch(3);
  router_.append_answers[tp("orders", 1)] = AppendOutcome{ErrorCode::none, 42, 7};
  protocol::ProduceResponse resp;
  ASSERT_EQ(call(serve_produce, produce_request(-1, "orders", {0, 1}, b), 9, resp), HandlerStatus::respond);
  ASSERT_EQ(router_.appended.size(), 2u);
  EXPECT_EQ(router_.appended[0].second, b.size());
  EXPECT_EQ(router_.acks_seen, (std::vector<int16_t>{-1, -1}));
  ASSERT_EQ(resp.responses.size(), 1u);
  const auto& parts = resp.responses[0].partition_responses;
  ASSERT_EQ(parts.size(), 2u);
  EXPECT_EQ(parts[0].error_code, 0);
  EXPECT_EQ(parts[0].base_offset, 100);
  EXPECT_EQ(parts[1].base_offset, 42);
  EXPECT_EQ(parts[1].log_start_offset, 7);
  EXPECT_EQ(info_.error, ErrorCode::none);
}

TEST_F(PartitionHandlers, ProduceHandsAShareOfTheFrameAndTheStampToThePartition) {
  // The handler writes nothing into the batch: the bytes handed on are the frame's own, as the
  // producer sent them, and the log stamps them on the partition's core (records/stamp.h).
  std::vector<uint8_t> b = batch(3, 1'700'000'000'000);
  protocol::ProduceResponse resp;
  ASSERT_EQ(call(serve_produce, produce_request(1, "orders", {0}, b), 9, resp), HandlerStatus::respond);
  ASSERT_EQ(router_.batches_seen.size(), 1u);
  const SharedBytes& seen = router_.batches_seen[0];
  EXPECT_EQ(seen.owner(), info_.frame);  // shared with the request, not borrowed from it
  EXPECT_TRUE(std::equal(seen.span().begin(), seen.span().end(), b.begin(), b.end()));
  EXPECT_EQ(router_.stamps_seen[0].type, records::TimestampType::create_time);
  EXPECT_EQ(router_.stamps_seen[0].max_timestamp, 1'700'000'000'002);  // validation's maximum
  EXPECT_EQ(resp.responses[0].partition_responses[0].log_append_time_ms, -1);

  // A LogAppendTime topic: the stamp asks for the append time, which the partition answers.
  auto image = std::make_shared<cluster::MetadataImage>(*image_);
  auto t = std::make_shared<cluster::TopicInfo>(*image->topics["orders"]);
  t->effective.message_timestamp_type = config::TimestampType::log_append_time;
  image->topics["orders"] = t;
  image_ = image;
  router_.append_answers[tp("orders", 0)] = AppendOutcome{ErrorCode::none, 5, 0, 1'800'000'000'000};
  protocol::ProduceResponse lat;
  ASSERT_EQ(call(serve_produce, produce_request(1, "orders", {0}, b), 9, lat), HandlerStatus::respond);
  EXPECT_EQ(router_.stamps_seen[1].type, records::TimestampType::log_append_time);
  EXPECT_EQ(lat.responses[0].partition_responses[0].log_append_time_ms, 1'800'000'000'000);
}

TEST_F(PartitionHandlers, ProduceErrorsFromRoutingValidationAndThePartition) {
  std::vector<uint8_t> good = batch(2);
  std::vector<uint8_t> corrupt = good;
  corrupt.back() ^= 0xff;  // inside the CRC-covered part
  router_.append_answers[tp("orders", 0)] = AppendOutcome{ErrorCode::not_leader_or_follower};

  protocol::ProduceRequest req = produce_request(1, "orders", {0, 1, 7}, good);
  req.topic_data[0].partition_data[1].records = protocol::RecordsRef{corrupt.data(), corrupt.size(), false};
  auto& missing = req.topic_data.emplace_back();
  missing.name = "nope";
  missing.partition_data.emplace_back().index = 0;
  missing.partition_data.back().records = protocol::RecordsRef{good.data(), good.size(), false};

  protocol::ProduceResponse resp;
  ASSERT_EQ(call(serve_produce, req, 9, resp), HandlerStatus::respond);
  const auto& parts = resp.responses[0].partition_responses;
  EXPECT_EQ(parts[0].error_code, wire(ErrorCode::not_leader_or_follower));  // the router's answer
  EXPECT_EQ(parts[1].error_code, wire(ErrorCode::corrupt_message));         // validation
  EXPECT_EQ(parts[2].error_code, wire(ErrorCode::unknown_topic_or_partition));
  EXPECT_EQ(resp.responses[1].partition_responses[0].error_code, wire(ErrorCode::unknown_topic_or_partition));
  EXPECT_EQ(parts[0].base_offset, -1);
  // Only the partition that passed validation and routing reached the router.
  ASSERT_EQ(router_.appended.size(), 1u);
  EXPECT_EQ(router_.appended[0].first, tp("orders", 0));
  EXPECT_NE(info_.error, ErrorCode::none);
}

TEST_F(PartitionHandlers, ProduceRefusesBadAcksAndOldVersions) {
  std::vector<uint8_t> b = batch(1);
  protocol::ProduceResponse resp;
  ASSERT_EQ(call(serve_produce, produce_request(2, "orders", {0}, b), 9, resp), HandlerStatus::respond);
  EXPECT_EQ(resp.responses[0].partition_responses[0].error_code, wire(ErrorCode::invalid_required_acks));
  protocol::ProduceResponse old;
  ASSERT_EQ(call(serve_produce, produce_request(1, "orders", {0}, b), 2, old), HandlerStatus::respond);
  EXPECT_EQ(old.responses[0].partition_responses[0].error_code, wire(ErrorCode::unsupported_version));
  EXPECT_TRUE(router_.appended.empty());
}

TEST_F(PartitionHandlers, ProduceWithAcksZeroSendsNothingAndClosesOnError) {
  std::vector<uint8_t> b = batch(1);
  protocol::ProduceResponse resp;
  EXPECT_EQ(call(serve_produce, produce_request(0, "orders", {0}, b), 9, resp), HandlerStatus::no_response);
  EXPECT_EQ(router_.acks_seen, (std::vector<int16_t>{0}));
  EXPECT_EQ(call(serve_produce, produce_request(0, "nope", {0}, b), 9, resp), HandlerStatus::close);
}

// --- Fetch ---

protocol::FetchRequest fetch_request(const std::string& topic, std::vector<int32_t> partitions, int64_t offset,
                                     int32_t session_id = 0, int32_t epoch = -1, int32_t max_bytes = 1 << 20) {
  protocol::FetchRequest req;
  req.max_wait_ms = 0;
  req.min_bytes = 0;
  req.max_bytes = max_bytes;
  req.session_id = session_id;
  req.session_epoch = epoch;
  if (!partitions.empty()) {
    auto& ft = req.topics.emplace_back();
    ft.topic = topic;
    for (int32_t p : partitions) {
      auto& fp = ft.partitions.emplace_back();
      fp.partition = p;
      fp.fetch_offset = offset;
      fp.partition_max_bytes = 1 << 20;
    }
  }
  return req;
}

TEST_F(PartitionHandlers, FetchReturnsWhatTheRouterRead) {
  std::vector<uint8_t> b = batch(2);
  router_.logs[tp("orders", 0)] = FakeRouter::Log{b, 2, 0};
  router_.logs[tp("orders", 1)] = FakeRouter::Log{{}, 5, 1, ErrorCode::offset_out_of_range};
  protocol::FetchResponse resp;
  ASSERT_EQ(call(serve_fetch, fetch_request("orders", {0, 1}, 0), 11, resp), HandlerStatus::respond);
  EXPECT_EQ(resp.error_code, 0);
  EXPECT_EQ(resp.session_id, 0);  // sessionless (epoch -1)
  ASSERT_EQ(resp.responses.size(), 1u);
  const auto& parts = resp.responses[0].partitions;
  ASSERT_EQ(parts.size(), 2u);
  EXPECT_EQ(parts[0].error_code, 0);
  EXPECT_EQ(parts[0].high_watermark, 2);
  ASSERT_EQ(parts[0].records.size, b.size());
  EXPECT_EQ(0, std::memcmp(parts[0].records.data, b.data(), b.size()));
  EXPECT_EQ(parts[1].error_code, wire(ErrorCode::offset_out_of_range));
  EXPECT_EQ(info_.error, ErrorCode::offset_out_of_range);
}

TEST_F(PartitionHandlers, FetchOfUnknownPartitionsReadsNothing) {
  protocol::FetchResponse resp;
  protocol::FetchRequest req = fetch_request("orders", {5}, 0);
  auto& other = req.topics.emplace_back();
  other.topic = "nope";
  other.partitions.emplace_back().partition = 0;
  ASSERT_EQ(call(serve_fetch, req, 11, resp), HandlerStatus::respond);
  EXPECT_EQ(resp.responses[0].partitions[0].error_code, wire(ErrorCode::unknown_topic_or_partition));
  EXPECT_EQ(resp.responses[1].partitions[0].error_code, wire(ErrorCode::unknown_topic_or_partition));
  EXPECT_TRUE(router_.read_calls.empty());
}

TEST_F(PartitionHandlers, FetchKeepsTheFirstBatchWholeAndCutsTheRestToTheBudget) {
  std::vector<uint8_t> one = batch(4);
  std::vector<uint8_t> two = one;
  two.insert(two.end(), one.begin(), one.end());  // two whole batches
  router_.logs[tp("orders", 0)] = FakeRouter::Log{two, 8, 0};
  router_.logs[tp("orders", 1)] = FakeRouter::Log{two, 8, 0};
  protocol::FetchResponse resp;
  // A budget smaller than the first partition's data: it is sent whole (KIP-74), the second
  // partition gets nothing, and never a partial batch.
  ASSERT_EQ(call(serve_fetch, fetch_request("orders", {0, 1}, 0, 0, -1, int32_t(one.size())), 11, resp),
            HandlerStatus::respond);
  const auto& parts = resp.responses[0].partitions;
  EXPECT_EQ(parts[0].records.size, two.size());
  EXPECT_EQ(parts[1].records.size, 0u);
  // A budget of three batches: the second partition is cut to one whole batch.
  ASSERT_EQ(call(serve_fetch, fetch_request("orders", {0, 1}, 0, 0, -1, int32_t(3 * one.size())), 11, resp),
            HandlerStatus::respond);
  EXPECT_EQ(resp.responses[0].partitions[1].records.size, one.size());
}

TEST_F(PartitionHandlers, FetchSessionsFollowTheTable) {
  std::vector<uint8_t> b = batch(1);
  router_.logs[tp("orders", 0)] = FakeRouter::Log{b, 1, 0};
  router_.logs[tp("orders", 1)] = FakeRouter::Log{{}, 0, 0};
  protocol::FetchResponse resp;
  ASSERT_EQ(call(serve_fetch, fetch_request("orders", {0, 1}, 1, 0, 0), 11, resp), HandlerStatus::respond);
  int32_t id = resp.session_id;
  ASSERT_GT(id, 0);
  EXPECT_EQ(resp.responses[0].partitions.size(), 2u);  // full: everything
  // Incremental with nothing new: an empty response.
  ASSERT_EQ(call(serve_fetch, fetch_request("orders", {}, 1, id, 1), 11, resp), HandlerStatus::respond);
  EXPECT_EQ(resp.error_code, 0);
  EXPECT_TRUE(resp.responses.empty());
  // The high watermark moved on partition 1: only it is sent.
  router_.logs[tp("orders", 1)].high_watermark = 3;
  ASSERT_EQ(call(serve_fetch, fetch_request("orders", {}, 1, id, 2), 11, resp), HandlerStatus::respond);
  ASSERT_EQ(resp.responses.size(), 1u);
  ASSERT_EQ(resp.responses[0].partitions.size(), 1u);
  EXPECT_EQ(resp.responses[0].partitions[0].partition_index, 1);
  // A wrong epoch is a top-level error and reads nothing.
  size_t reads = router_.read_calls.size();
  ASSERT_EQ(call(serve_fetch, fetch_request("orders", {}, 1, id, 9), 11, resp), HandlerStatus::respond);
  EXPECT_EQ(resp.error_code, wire(ErrorCode::invalid_fetch_session_epoch));
  EXPECT_EQ(router_.read_calls.size(), reads);
  // The reset that looped: the same id with epoch 0 opens a new session.
  ASSERT_EQ(call(serve_fetch, fetch_request("orders", {0}, 1, id, 0), 11, resp), HandlerStatus::respond);
  EXPECT_EQ(resp.error_code, 0);
  EXPECT_GT(resp.session_id, 0);
  EXPECT_NE(resp.session_id, id);
  // Before v7 there are no sessions.
  int plans = router_.session_plans;
  ASSERT_EQ(call(serve_fetch, fetch_request("orders", {0}, 0, 0, 0), 6, resp), HandlerStatus::respond);
  EXPECT_EQ(router_.session_plans, plans);
}

// --- ListOffsets ---

protocol::ListOffsetsRequest list_offsets_request(const std::string& topic, std::vector<int32_t> partitions,
                                                  int64_t timestamp) {
  protocol::ListOffsetsRequest req;
  req.replica_id = -1;
  auto& t = req.topics.emplace_back();
  t.name = topic;
  for (int32_t p : partitions) {
    auto& pp = t.partitions.emplace_back();
    pp.partition_index = p;
    pp.timestamp = timestamp;
  }
  return req;
}

TEST_F(PartitionHandlers, ListOffsetsAnswersFromTheRouterAndRoutingErrors) {
  router_.offsets[tp("orders", 0)] = OffsetLookup{ErrorCode::none, -1, 17, 3};
  router_.offsets[tp("orders", 1)] = OffsetLookup{ErrorCode::fenced_leader_epoch};
  protocol::ListOffsetsResponse resp;
  ASSERT_EQ(call(serve_list_offsets, list_offsets_request("orders", {0, 1, 2}, kLatestTimestamp), 7, resp),
            HandlerStatus::respond);
  const auto& parts = resp.topics[0].partitions;
  ASSERT_EQ(parts.size(), 3u);
  EXPECT_EQ(parts[0].error_code, 0);
  EXPECT_EQ(parts[0].offset, 17);
  EXPECT_EQ(parts[0].leader_epoch, 3);
  EXPECT_EQ(parts[1].error_code, wire(ErrorCode::fenced_leader_epoch));
  EXPECT_EQ(parts[1].offset, -1);
  EXPECT_EQ(parts[2].error_code, wire(ErrorCode::unknown_topic_or_partition));
  EXPECT_EQ(info_.error, ErrorCode::fenced_leader_epoch);
}

TEST_F(PartitionHandlers, ListOffsetsMaxTimestampNeedsVersion7) {
  protocol::ListOffsetsResponse resp;
  ASSERT_EQ(call(serve_list_offsets, list_offsets_request("orders", {0}, kMaxTimestamp), 6, resp),
            HandlerStatus::respond);
  EXPECT_EQ(resp.topics[0].partitions[0].error_code, wire(ErrorCode::unsupported_version));
}

}  // namespace
}  // namespace runnel::server::handlers
