// Fetch (api key 1) as KRaft uses it; see wire.h. KafkaRaftClient's fetches name the partition
// by topic id from v13 (by name before) and the fetcher by ReplicaState.ReplicaId from v15
// (the top-level ReplicaId before); both forms are filled and each version's encode keeps its own.

#include <algorithm>

#include "broker/raft/wire.h"
#include "broker/raft/wire_partition.h"
#include "broker/raft/wire_records.h"

namespace runnel::raft::wire {
namespace {

using WireFetchRequest = protocol::FetchRequest;
using WireFetchResponse = protocol::FetchResponse;
using WirePartitionData = WireFetchResponse::FetchableTopicResponse::PartitionData;

// The metadata topic as the version names it.
template <typename Topic>
bool names_metadata_topic(const Topic& t, int16_t version) {
  return version >= 13 ? t.topic_id == metadata_topic_id() : t.topic == kMetadataTopic;
}

template <typename Topic>
auto* fetch_partition(const std::vector<Topic>& topics, int16_t version, auto index_of) {
  using Partition = typename std::remove_cvref_t<decltype(topics.front().partitions.front())>;
  const Partition* none = nullptr;
  if (topics.size() != 1 || !names_metadata_topic(topics.front(), version)) return none;
  if (topics.front().partitions.size() != 1) return none;
  const Partition& p = topics.front().partitions.front();
  return index_of(p) == kMetadataPartition ? &p : none;
}

}  // namespace

Uuid metadata_topic_id() {
  Uuid id;
  id.bytes[15] = 1;
  return id;
}

protocol::FetchRequest to_wire(const FetchRequest& m) {
  WireFetchRequest::FetchTopic::FetchPartition p;
  p.partition = kMetadataPartition;
  p.current_leader_epoch = m.current_leader_epoch.value();
  p.fetch_offset = m.fetch_offset.value();
  p.last_fetched_epoch = m.last_fetched_epoch.value();
  p.partition_max_bytes = kFetchMaxBytes;
  WireFetchRequest::FetchTopic topic;
  topic.topic = std::string(kMetadataTopic);
  topic.topic_id = metadata_topic_id();
  topic.partitions.push_back(p);
  WireFetchRequest out;
  out.cluster_id = detail::cluster_id_to_wire(m.cluster_id);
  out.replica_id = m.replica_id.value();
  out.replica_state.replica_id = m.replica_id.value();
  out.max_wait_ms = static_cast<int32_t>(std::clamp<int64_t>(m.max_wait_ms, 0, INT32_MAX));
  out.min_bytes = 1;
  out.max_bytes = kFetchMaxBytes;
  out.topics.push_back(std::move(topic));
  return out;
}

Result<FetchRequest, WireError> from_wire(const protocol::FetchRequest& m, int16_t version) {
  if (version < kFetchMinVersion) return Unexpected(WireError::unsupported_version);
  const auto* p = fetch_partition(m.topics, version, [](const auto& part) { return part.partition; });
  if (p == nullptr) return Unexpected(WireError::not_metadata_partition);
  FetchRequest out;
  out.cluster_id = m.cluster_id.value_or("");
  out.replica_id = NodeId{version >= 15 ? m.replica_state.replica_id : m.replica_id};
  out.current_leader_epoch = LeaderEpoch{p->current_leader_epoch};
  out.fetch_offset = Offset{p->fetch_offset};
  out.last_fetched_epoch = LeaderEpoch{p->last_fetched_epoch};
  out.max_wait_ms = m.max_wait_ms;
  return out;
}

FetchResponseFrame to_wire(const FetchResponse& m, int64_t timestamp_ms) {
  FetchResponseFrame frame;
  if (m.error == ErrorCode::inconsistent_cluster_id) {
    frame.message.error_code = runnel::wire(m.error);
    return frame;
  }
  frame.records = encode_entries(m.records, timestamp_ms);
  WirePartitionData p;
  p.partition_index = kMetadataPartition;
  p.error_code = runnel::wire(m.error);
  p.high_watermark = m.high_watermark.value();
  p.log_start_offset = m.log_start_offset.value();
  if (m.diverging_epoch) {
    p.diverging_epoch.epoch = m.diverging_epoch->epoch.value();
    p.diverging_epoch.end_offset = m.diverging_epoch->offset.value();
  }
  if (m.snapshot_id) {
    p.snapshot_id.epoch = m.snapshot_id->epoch.value();
    p.snapshot_id.end_offset = m.snapshot_id->offset.value();
  }
  p.current_leader.leader_id = m.current_leader.leader_id.value();
  p.current_leader.leader_epoch = m.current_leader.leader_epoch.value();
  // Not null even when empty: Kafka's KRaft leader always sends a (possibly empty) record set.
  p.records = protocol::RecordsRef{frame.records.data(), frame.records.size(), false};
  WireFetchResponse::FetchableTopicResponse topic;
  topic.topic = std::string(kMetadataTopic);
  topic.topic_id = metadata_topic_id();
  topic.partitions.push_back(std::move(p));
  frame.message.responses.push_back(std::move(topic));
  return frame;
}

Result<FetchResponse, WireError> from_wire(const protocol::FetchResponse& m, int16_t version, const FetchEcho& echo) {
  if (version < kFetchMinVersion) return Unexpected(WireError::unsupported_version);
  FetchResponse out;
  out.fetch_offset = echo.fetch_offset;
  out.last_fetched_epoch = echo.last_fetched_epoch;
  if (m.error_code != 0) {
    out.error = static_cast<ErrorCode>(m.error_code);
    return out;
  }
  const auto* p = fetch_partition(m.responses, version, [](const auto& part) { return part.partition_index; });
  if (p == nullptr) return Unexpected(WireError::not_metadata_partition);
  out.error = static_cast<ErrorCode>(p->error_code);
  out.high_watermark = Offset{p->high_watermark};
  out.log_start_offset = Offset{p->log_start_offset};
  // Kafka's rule (FetchResponse.isDivergingEpoch, RaftUtil): epoch -1 means absent.
  if (p->diverging_epoch.epoch >= 0 && p->diverging_epoch.end_offset >= 0) {
    out.diverging_epoch = OffsetAndEpoch{Offset{p->diverging_epoch.end_offset}, LeaderEpoch{p->diverging_epoch.epoch}};
  }
  if (p->snapshot_id.epoch >= 0 && p->snapshot_id.end_offset >= 0) {
    out.snapshot_id = OffsetAndEpoch{Offset{p->snapshot_id.end_offset}, LeaderEpoch{p->snapshot_id.epoch}};
  }
  out.current_leader = {NodeId{p->current_leader.leader_id}, LeaderEpoch{p->current_leader.leader_epoch}};
  if (!p->records.is_null && p->records.size > 0) {
    Result<std::vector<Entry>, WireError> entries = decode_entries({p->records.data, p->records.size});
    if (!entries) return Unexpected(entries.error());
    out.records = std::move(*entries);
  }
  return out;
}

}  // namespace runnel::raft::wire
