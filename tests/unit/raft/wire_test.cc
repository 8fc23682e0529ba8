// The wire adapter (broker/raft/wire.h): every KRaft RPC through the generated encode/decode at
// each version and back, Kafka's shape (one partition of __cluster_metadata, the metadata topic
// id, top-level errors), the pre-vote tag, and hostile bytes (truncated, mutated) that must end
// in an error value or a message the core can judge, never a crash.

#include "broker/raft/wire.h"

#include <gtest/gtest.h>

#include <random>

#include "broker/raft/in_flight.h"
#include "broker/raft/leader_change.h"
#include "broker/raft/wire_fetch_snapshot.h"
#include "broker/raft/wire_records.h"
#include "wire_test_util.h"

namespace runnel::raft::wire {
namespace {

using test::decode;
using test::encode;
using test::round_trip;

TEST(WireTest, MetadataTopicIdIsKafkas) { EXPECT_EQ(metadata_topic_id().to_base64(), "AAAAAAAAAAAAAAAAAAAAAQ"); }

TEST(WireTest, VoteRoundTripsAtEveryVersionWithThePreVoteTag) {
  for (int16_t v = protocol::VoteRequest::kMinVersion; v <= protocol::VoteRequest::kMaxVersion; ++v) {
    for (bool prevote : {false, true}) {
      VoteRequest m{"cluster-1", LeaderEpoch{7}, NodeId{2}, LeaderEpoch{6}, Offset{41}, prevote};
      std::vector<uint8_t> bytes;
      auto decoded = round_trip(to_wire(m, NodeId{3}), v, bytes);
      ASSERT_TRUE(decoded) << "v" << v;
      if (v >= 1) {
        EXPECT_EQ(decoded->voter_id, 3);
      }
      auto back = from_wire(*decoded);
      ASSERT_TRUE(back) << wire_error_name(back.error());
      EXPECT_EQ(back->cluster_id, "cluster-1");
      EXPECT_EQ(back->candidate_epoch, LeaderEpoch{7});
      EXPECT_EQ(back->candidate_id, NodeId{2});
      EXPECT_EQ(back->last_offset_epoch, LeaderEpoch{6});
      EXPECT_EQ(back->last_offset, Offset{41});
      EXPECT_EQ(back->prevote, prevote) << "v" << v;
    }
  }
}

TEST(WireTest, RequestsNameTheirReceiver) {
  auto vote = to_wire(VoteRequest{"c", LeaderEpoch{1}, NodeId{1}, LeaderEpoch{0}, Offset{0}, false}, NodeId{2});
  EXPECT_TRUE(addressed_to(vote.voter_id, NodeId{2}));
  EXPECT_FALSE(addressed_to(vote.voter_id, NodeId{3}));
  std::vector<uint8_t> bytes;
  auto v0 = round_trip(vote, 0, bytes);  // v0 has no VoterId: anyone may answer
  ASSERT_TRUE(v0);
  EXPECT_TRUE(addressed_to(v0->voter_id, NodeId{3}));
}

TEST(WireTest, PreVoteTagIsOneByteAtTheChosenTag) {
  auto w = to_wire(VoteRequest{"c", LeaderEpoch{1}, NodeId{1}, LeaderEpoch{0}, Offset{0}, true}, NodeId{2});
  const auto& tags = w.topics[0].partitions[0].unknown_tagged_fields;
  ASSERT_EQ(tags.size(), 1u);
  EXPECT_EQ(tags[0].tag, kPreVoteTag);
  EXPECT_EQ(tags[0].data, std::vector<uint8_t>{1});
  // A real vote carries no tag: a peer that does not know it sees an ordinary Vote v1.
  auto real = to_wire(VoteRequest{"c", LeaderEpoch{1}, NodeId{1}, LeaderEpoch{0}, Offset{0}, false}, NodeId{2});
  EXPECT_TRUE(real.topics[0].partitions[0].unknown_tagged_fields.empty());
  // A tag of the wrong size is malformed, not silently a real vote.
  w.topics[0].partitions[0].unknown_tagged_fields[0].data = {1, 1};
  auto bad = from_wire(w);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error(), WireError::malformed);
}

TEST(WireTest, VoteResponseRoundTripsWithTheEchoAndTopLevelErrors) {
  for (int16_t v = 0; v <= protocol::VoteResponse::kMaxVersion; ++v) {
    VoteResponse m{ErrorCode::fenced_leader_epoch, NodeId{4}, LeaderEpoch{9}, true, false};
    std::vector<uint8_t> bytes;
    auto decoded = round_trip(to_wire(m), v, bytes);
    ASSERT_TRUE(decoded);
    auto back = from_wire(*decoded, /*prevote=*/true);
    ASSERT_TRUE(back);
    EXPECT_EQ(back->error, ErrorCode::fenced_leader_epoch);
    EXPECT_EQ(back->leader_id, NodeId{4});
    EXPECT_EQ(back->leader_epoch, LeaderEpoch{9});
    EXPECT_TRUE(back->vote_granted);
    EXPECT_TRUE(back->prevote);  // the echo, from the request
  }
  VoteResponse cluster{ErrorCode::inconsistent_cluster_id, NodeId{-1}, LeaderEpoch{0}, false, false};
  auto w = to_wire(cluster);
  EXPECT_EQ(w.error_code, runnel::wire(ErrorCode::inconsistent_cluster_id));
  EXPECT_TRUE(w.topics.empty());
  auto back = from_wire(w, false);
  ASSERT_TRUE(back);
  EXPECT_EQ(back->error, ErrorCode::inconsistent_cluster_id);
}

TEST(WireTest, BeginAndEndQuorumEpochRoundTripAtEveryVersion) {
  for (int16_t v = 0; v <= 1; ++v) {
    std::vector<uint8_t> bytes;
    auto begin = round_trip(to_wire(BeginQuorumEpochRequest{"c", NodeId{1}, LeaderEpoch{5}}, NodeId{2}), v, bytes);
    ASSERT_TRUE(begin);
    auto b = from_wire(*begin);
    ASSERT_TRUE(b);
    EXPECT_EQ(b->cluster_id, "c");
    EXPECT_EQ(b->leader_id, NodeId{1});
    EXPECT_EQ(b->leader_epoch, LeaderEpoch{5});

    auto begin_resp = round_trip(to_wire(BeginQuorumEpochResponse{ErrorCode::none, NodeId{1}, LeaderEpoch{5}}), v, bytes);
    ASSERT_TRUE(begin_resp);
    auto br = from_wire(*begin_resp);
    ASSERT_TRUE(br);
    EXPECT_EQ(br->leader_epoch, LeaderEpoch{5});

    EndQuorumEpochRequest end{"c", NodeId{1}, LeaderEpoch{5}, {NodeId{3}, NodeId{2}}};
    auto end_wire = round_trip(to_wire(end), v, bytes);
    ASSERT_TRUE(end_wire);
    auto e = from_wire(*end_wire, v);
    ASSERT_TRUE(e);
    EXPECT_EQ(e->leader_id, NodeId{1});
    ASSERT_EQ(e->preferred_successors.size(), 2u) << "v" << v;
    EXPECT_EQ(e->preferred_successors[0], NodeId{3});
    EXPECT_EQ(e->preferred_successors[1], NodeId{2});

    auto end_resp = round_trip(to_wire(EndQuorumEpochResponse{ErrorCode::unknown_leader_epoch, NodeId{-1}, LeaderEpoch{6}}), v, bytes);
    ASSERT_TRUE(end_resp);
    auto er = from_wire(*end_resp);
    ASSERT_TRUE(er);
    EXPECT_EQ(er->error, ErrorCode::unknown_leader_epoch);
    EXPECT_EQ(er->leader_id, NodeId{-1});
  }
}

TEST(WireTest, RequestsForAnotherPartitionAreRefused) {
  auto w = to_wire(BeginQuorumEpochRequest{"c", NodeId{1}, LeaderEpoch{5}}, NodeId{2});
  w.topics[0].topic_name = "orders";
  EXPECT_EQ(from_wire(w).error(), WireError::not_metadata_partition);
  w.topics[0].topic_name = "__cluster_metadata";
  w.topics[0].partitions[0].partition_index = 1;
  EXPECT_EQ(from_wire(w).error(), WireError::not_metadata_partition);
  w.topics[0].partitions[0].partition_index = 0;
  w.topics.push_back(w.topics[0]);
  EXPECT_EQ(from_wire(w).error(), WireError::not_metadata_partition);
  w.topics.clear();
  EXPECT_EQ(from_wire(w).error(), WireError::not_metadata_partition);
}

TEST(WireTest, FetchRequestRoundTripsFromV12WithReplicaStateAndTopicId) {
  FetchRequest m{"c", NodeId{3}, LeaderEpoch{4}, Offset{100}, LeaderEpoch{3}, 500};
  for (int16_t v = kFetchMinVersion; v <= protocol::FetchRequest::kMaxVersion; ++v) {
    std::vector<uint8_t> bytes;
    auto decoded = round_trip(to_wire(m), v, bytes);
    ASSERT_TRUE(decoded) << "v" << v;
    if (v >= 13) {
      EXPECT_EQ(decoded->topics[0].topic_id, metadata_topic_id());
    }
    auto back = from_wire(*decoded, v);
    ASSERT_TRUE(back) << "v" << v << " " << wire_error_name(back.error());
    EXPECT_EQ(back->cluster_id, "c");
    EXPECT_EQ(back->replica_id, NodeId{3});
    EXPECT_EQ(back->current_leader_epoch, LeaderEpoch{4});
    EXPECT_EQ(back->fetch_offset, Offset{100});
    EXPECT_EQ(back->last_fetched_epoch, LeaderEpoch{3});
    EXPECT_EQ(back->max_wait_ms, 500);
  }
  EXPECT_EQ(from_wire(to_wire(m), 11).error(), WireError::unsupported_version);
  auto other = to_wire(m);
  other.topics[0].topic_id = Uuid::random();
  EXPECT_EQ(from_wire(other, kFetchVersion).error(), WireError::not_metadata_partition);
}

std::vector<Entry> sample_entries() {
  return {
      Entry{Offset{10}, LeaderEpoch{2}, EntryType::data, "a=1"},
      Entry{Offset{11}, LeaderEpoch{3}, EntryType::leader_change,
            encode_leader_change({NodeId{1}, {NodeId{1}, NodeId{2}, NodeId{3}}, {NodeId{1}, NodeId{3}}})},
      Entry{Offset{12}, LeaderEpoch{3}, EntryType::data, "b=2"},
      Entry{Offset{13}, LeaderEpoch{3}, EntryType::data, std::string("\0binary\xff", 8)},
  };
}

TEST(WireTest, FetchResponseRoundTripsWithRecordsDivergenceSnapshotAndLeader) {
  FetchResponse m;
  m.error = ErrorCode::none;
  m.high_watermark = Offset{12};
  m.log_start_offset = Offset{10};
  m.diverging_epoch = OffsetAndEpoch{Offset{9}, LeaderEpoch{1}};
  m.snapshot_id = OffsetAndEpoch{Offset{5}, LeaderEpoch{1}};
  m.current_leader = {NodeId{1}, LeaderEpoch{3}};
  m.records = sample_entries();
  for (int16_t v = kFetchMinVersion; v <= protocol::FetchResponse::kMaxVersion; ++v) {
    FetchResponseFrame frame = to_wire(m, 1'700'000'000'000);
    std::vector<uint8_t> bytes;
    auto decoded = round_trip(frame.message, v, bytes);
    ASSERT_TRUE(decoded) << "v" << v;
    auto back = from_wire(*decoded, v, FetchEcho{Offset{10}, LeaderEpoch{2}});
    ASSERT_TRUE(back) << "v" << v << " " << wire_error_name(back.error());
    EXPECT_EQ(back->high_watermark, Offset{12});
    EXPECT_EQ(back->log_start_offset, Offset{10});
    ASSERT_TRUE(back->diverging_epoch);
    EXPECT_EQ(*back->diverging_epoch, (OffsetAndEpoch{Offset{9}, LeaderEpoch{1}}));
    ASSERT_TRUE(back->snapshot_id);
    EXPECT_EQ(*back->snapshot_id, (OffsetAndEpoch{Offset{5}, LeaderEpoch{1}}));
    EXPECT_EQ(back->current_leader.leader_id, NodeId{1});
    EXPECT_EQ(back->current_leader.leader_epoch, LeaderEpoch{3});
    EXPECT_EQ(back->records, m.records);
    EXPECT_EQ(back->fetch_offset, Offset{10});             // echo
    EXPECT_EQ(back->last_fetched_epoch, LeaderEpoch{2});  // echo
  }
}

TEST(WireTest, FetchResponseWithoutOptionalsAndWithErrors) {
  FetchResponse m;
  m.error = ErrorCode::not_leader_or_follower;
  m.current_leader = {NodeId{2}, LeaderEpoch{8}};
  FetchResponseFrame frame = to_wire(m, 0);
  std::vector<uint8_t> bytes;
  auto decoded = round_trip(frame.message, kFetchVersion, bytes);
  ASSERT_TRUE(decoded);
  auto back = from_wire(*decoded, kFetchVersion, FetchEcho{});
  ASSERT_TRUE(back);
  EXPECT_EQ(back->error, ErrorCode::not_leader_or_follower);
  EXPECT_FALSE(back->diverging_epoch);
  EXPECT_FALSE(back->snapshot_id);
  EXPECT_TRUE(back->records.empty());
  EXPECT_EQ(back->current_leader.leader_id, NodeId{2});

  FetchResponse cluster;
  cluster.error = ErrorCode::inconsistent_cluster_id;
  FetchResponseFrame top = to_wire(cluster, 0);
  EXPECT_EQ(top.message.error_code, runnel::wire(ErrorCode::inconsistent_cluster_id));
  auto top_back = from_wire(top.message, kFetchVersion, FetchEcho{});
  ASSERT_TRUE(top_back);
  EXPECT_EQ(top_back->error, ErrorCode::inconsistent_cluster_id);
}

TEST(WireTest, FetchResponseWithCorruptRecordsIsAnError) {
  FetchResponse m;
  m.records = sample_entries();
  FetchResponseFrame frame = to_wire(m, 0);
  frame.records[frame.records.size() - 1] ^= 0x40;  // inside the last batch's CRC-covered body
  auto back = from_wire(frame.message, kFetchVersion, FetchEcho{});
  ASSERT_FALSE(back);
  EXPECT_EQ(back.error(), WireError::corrupt_records);
}

TEST(WireTest, DescribeQuorumAnswersWhatTheToolPrints) {
  QuorumDescription d;
  d.leader_id = NodeId{1};
  d.leader_epoch = LeaderEpoch{4};
  d.high_watermark = Offset{77};
  d.current_voters = {{NodeId{1}, Offset{80}, 9'000, 9'000}, {NodeId{2}, Offset{77}, 8'500, 8'000}, {NodeId{3}, Offset{-1}, -1, -1}};
  d.observers = {{NodeId{10}, Offset{70}, 8'900, 7'000}};
  Clocks clocks{10'000, 1'700'000'000'000};
  protocol::DescribeQuorumRequest request;
  request.topics.push_back({std::string(kMetadataTopic), {{0, {}}}, {}});
  EXPECT_TRUE(check_describe_quorum(request));
  for (int16_t v = 0; v <= protocol::DescribeQuorumResponse::kMaxVersion; ++v) {
    std::vector<uint8_t> bytes;
    auto decoded = round_trip(describe_quorum_response(d, clocks), v, bytes);
    ASSERT_TRUE(decoded) << "v" << v;
    ASSERT_EQ(decoded->topics.size(), 1u);
    EXPECT_EQ(decoded->topics[0].topic_name, "__cluster_metadata");
    const auto& p = decoded->topics[0].partitions.at(0);
    EXPECT_EQ(p.partition_index, 0);
    EXPECT_EQ(p.error_code, 0);
    EXPECT_EQ(p.leader_id, 1);
    EXPECT_EQ(p.leader_epoch, 4);
    EXPECT_EQ(p.high_watermark, 77);
    ASSERT_EQ(p.current_voters.size(), 3u);
    EXPECT_EQ(p.current_voters[1].replica_id, 2);
    EXPECT_EQ(p.current_voters[1].log_end_offset, 77);
    if (v >= 1) {
      // Wall clock: 1.5 s before "now" on the leader's monotonic clock is 1.5 s before wall now.
      EXPECT_EQ(p.current_voters[1].last_fetch_timestamp, 1'700'000'000'000 - 1'500);
      EXPECT_EQ(p.current_voters[1].last_caught_up_timestamp, 1'700'000'000'000 - 2'000);
      EXPECT_EQ(p.current_voters[2].last_fetch_timestamp, -1);  // unknown stays unknown
      EXPECT_EQ(p.current_voters[0].last_fetch_timestamp, 1'700'000'000'000);  // the leader: now, as Kafka
      EXPECT_EQ(p.current_voters[0].last_caught_up_timestamp, 1'700'000'000'000);
    }
    ASSERT_EQ(p.observers.size(), 1u);
    EXPECT_EQ(p.observers[0].replica_id, 10);
  }
  Result<QuorumDescription, ErrorCode> not_leader = Unexpected(ErrorCode::not_leader_or_follower);
  auto refused = describe_quorum_response(not_leader, clocks);
  std::vector<uint8_t> bytes;
  auto decoded = round_trip(refused, kDescribeQuorumVersion, bytes);
  ASSERT_TRUE(decoded);
  EXPECT_EQ(decoded->topics[0].partitions[0].error_code, runnel::wire(ErrorCode::not_leader_or_follower));
  EXPECT_EQ(decoded->topics[0].partitions[0].error_message, "NOT_LEADER_OR_FOLLOWER");
  request.topics[0].topic_name = "x";
  EXPECT_FALSE(check_describe_quorum(request));
}

TEST(WireTest, FetchSnapshotRoundTrips) {
  FetchSnapshotRequest m{"c", NodeId{2}, LeaderEpoch{5}, {Offset{100}, LeaderEpoch{4}}, 4096, 1 << 20};
  FetchSnapshotResponse r{ErrorCode::none, {Offset{100}, LeaderEpoch{4}}, {NodeId{1}, LeaderEpoch{5}}, 10000, 4096, {1, 2, 3}};
  for (int16_t v = 0; v <= protocol::FetchSnapshotRequest::kMaxVersion; ++v) {
    std::vector<uint8_t> bytes;
    auto decoded = round_trip(to_wire(m), v, bytes);
    ASSERT_TRUE(decoded);
    auto back = from_wire(*decoded);
    ASSERT_TRUE(back);
    EXPECT_EQ(back->replica_id, NodeId{2});
    EXPECT_EQ(back->snapshot_id, (OffsetAndEpoch{Offset{100}, LeaderEpoch{4}}));
    EXPECT_EQ(back->position, 4096);
    EXPECT_EQ(back->max_bytes, 1 << 20);
    auto decoded_r = round_trip(to_wire(r), v, bytes);
    ASSERT_TRUE(decoded_r);
    auto back_r = from_wire(*decoded_r);
    ASSERT_TRUE(back_r);
    EXPECT_EQ(back_r->size, 10000);
    EXPECT_EQ(back_r->position, 4096);
    EXPECT_EQ(back_r->bytes, (std::vector<uint8_t>{1, 2, 3}));
    EXPECT_EQ(back_r->current_leader.leader_id, NodeId{1});
  }
}

// Every strict prefix and random mutations of each RPC's bytes: the generated decoder refuses
// or the adapter returns a message or an error. Nothing may crash (run under sanitizers too).
template <typename Wire, typename FromWire>
void survives_hostile_bytes(const std::vector<uint8_t>& good, int16_t version, FromWire from) {
  for (size_t n = 0; n < good.size(); ++n) {
    std::vector<uint8_t> prefix(good.begin(), good.begin() + static_cast<std::ptrdiff_t>(n));
    if (auto m = decode<Wire>(prefix, version)) (void)from(*m);
  }
  std::mt19937_64 rng(42);
  for (int round = 0; round < 2000; ++round) {
    std::vector<uint8_t> bytes = good;
    int flips = 1 + static_cast<int>(rng() % 4);
    for (int i = 0; i < flips; ++i) bytes[rng() % bytes.size()] ^= static_cast<uint8_t>(1 + rng() % 255);
    if (auto m = decode<Wire>(bytes, version)) (void)from(*m);
  }
  for (int round = 0; round < 500; ++round) {
    std::vector<uint8_t> garbage(rng() % 200);
    for (auto& b : garbage) b = static_cast<uint8_t>(rng());
    if (auto m = decode<Wire>(garbage, version)) (void)from(*m);
  }
}

TEST(WireTest, HostileBytesNeverCrash) {
  survives_hostile_bytes<protocol::VoteRequest>(
      encode(to_wire(VoteRequest{"c", LeaderEpoch{7}, NodeId{2}, LeaderEpoch{6}, Offset{41}, true}, NodeId{1}), kVoteVersion),
      kVoteVersion, [](const auto& m) { return from_wire(m); });
  survives_hostile_bytes<protocol::VoteResponse>(
      encode(to_wire(VoteResponse{ErrorCode::none, NodeId{1}, LeaderEpoch{2}, true, false}), kVoteVersion), kVoteVersion,
      [](const auto& m) { return from_wire(m, false); });
  survives_hostile_bytes<protocol::EndQuorumEpochRequest>(
      encode(to_wire(EndQuorumEpochRequest{"c", NodeId{1}, LeaderEpoch{5}, {NodeId{2}, NodeId{3}}}), kEndQuorumEpochVersion),
      kEndQuorumEpochVersion, [](const auto& m) { return from_wire(m, kEndQuorumEpochVersion); });
  survives_hostile_bytes<protocol::FetchRequest>(
      encode(to_wire(FetchRequest{"c", NodeId{3}, LeaderEpoch{4}, Offset{100}, LeaderEpoch{3}, 500}), kFetchVersion),
      kFetchVersion, [](const auto& m) { return from_wire(m, kFetchVersion); });
  FetchResponse response;
  response.records = sample_entries();
  response.high_watermark = Offset{12};
  FetchResponseFrame frame = to_wire(response, 0);
  survives_hostile_bytes<protocol::FetchResponse>(encode(frame.message, kFetchVersion), kFetchVersion,
                                                  [](const auto& m) { return from_wire(m, kFetchVersion, FetchEcho{}); });
}

TEST(InFlightRequestsTest, FillsTheEchoAndDropsStrayResponses) {
  InFlightRequests table(2);
  auto fetch = table.add(NodeId{2}, FetchRequest{"c", NodeId{1}, LeaderEpoch{3}, Offset{50}, LeaderEpoch{2}, 500}, 1000);
  auto vote = table.add(NodeId{3}, VoteRequest{"c", LeaderEpoch{4}, NodeId{1}, LeaderEpoch{2}, Offset{50}, true}, 1000);
  ASSERT_TRUE(fetch && vote);
  EXPECT_FALSE(table.add(NodeId{3}, BeginQuorumEpochRequest{}, 1000));  // full: bounded
  EXPECT_FALSE(table.take(*fetch, NodeId{3}, protocol::FetchRequest::kApiKey));  // wrong node
  EXPECT_FALSE(table.take(*fetch, NodeId{2}, protocol::VoteRequest::kApiKey));   // wrong api
  auto f = table.take(*fetch, NodeId{2}, protocol::FetchRequest::kApiKey);
  ASSERT_TRUE(f);
  EXPECT_EQ(f->fetch.fetch_offset, Offset{50});
  EXPECT_EQ(f->fetch.last_fetched_epoch, LeaderEpoch{2});
  EXPECT_FALSE(table.take(*fetch, NodeId{2}, protocol::FetchRequest::kApiKey));  // answered already
  EXPECT_EQ(table.expire(5000, 2000), 1u);
  EXPECT_FALSE(table.take(*vote, NodeId{3}, protocol::VoteRequest::kApiKey));  // expired
  auto again = table.add(NodeId{3}, VoteRequest{"c", LeaderEpoch{4}, NodeId{1}, LeaderEpoch{2}, Offset{50}, true}, 6000);
  ASSERT_TRUE(again);
  auto v = table.take(*again, NodeId{3}, protocol::VoteRequest::kApiKey);
  ASSERT_TRUE(v);
  EXPECT_TRUE(v->prevote);
}

}  // namespace
}  // namespace runnel::raft::wire
