// FetchSnapshot (api key 59); see wire_fetch_snapshot.h.

#include "broker/raft/wire_fetch_snapshot.h"

#include "broker/raft/wire.h"
#include "broker/raft/wire_partition.h"

namespace runnel::raft::wire {
namespace {

using WireRequest = protocol::FetchSnapshotRequest;
using WireResponse = protocol::FetchSnapshotResponse;

template <typename Topic>
auto* snapshot_partition(const std::vector<Topic>& topics) {
  return detail::metadata_partition(
      topics, [](const Topic& t) -> const std::string& { return t.name; },
      [](const auto& part) { return part.partition; });
}

}  // namespace

protocol::FetchSnapshotRequest to_wire(const FetchSnapshotRequest& m) {
  WireRequest::TopicSnapshot::PartitionSnapshot p;
  p.partition = kMetadataPartition;
  p.current_leader_epoch = m.current_leader_epoch.value();
  p.snapshot_id.end_offset = m.snapshot_id.offset.value();
  p.snapshot_id.epoch = m.snapshot_id.epoch.value();
  p.position = m.position;
  WireRequest::TopicSnapshot topic;
  topic.name = std::string(kMetadataTopic);
  topic.partitions.push_back(p);
  WireRequest out;
  out.cluster_id = detail::cluster_id_to_wire(m.cluster_id);
  out.replica_id = m.replica_id.value();
  out.max_bytes = m.max_bytes;
  out.topics.push_back(std::move(topic));
  return out;
}

Result<FetchSnapshotRequest, WireError> from_wire(const protocol::FetchSnapshotRequest& m) {
  const auto* p = snapshot_partition(m.topics);
  if (p == nullptr) return Unexpected(WireError::not_metadata_partition);
  if (p->position < 0) return Unexpected(WireError::malformed);
  FetchSnapshotRequest out;
  out.cluster_id = m.cluster_id.value_or("");
  out.replica_id = NodeId{m.replica_id};
  out.current_leader_epoch = LeaderEpoch{p->current_leader_epoch};
  out.snapshot_id = {Offset{p->snapshot_id.end_offset}, LeaderEpoch{p->snapshot_id.epoch}};
  out.position = p->position;
  out.max_bytes = m.max_bytes;
  return out;
}

protocol::FetchSnapshotResponse to_wire(const FetchSnapshotResponse& m) {
  WireResponse out;
  if (m.error == ErrorCode::inconsistent_cluster_id) {
    out.error_code = runnel::wire(m.error);
    return out;
  }
  WireResponse::TopicSnapshot::PartitionSnapshot p;
  p.index = kMetadataPartition;
  p.error_code = runnel::wire(m.error);
  p.snapshot_id.end_offset = m.snapshot_id.offset.value();
  p.snapshot_id.epoch = m.snapshot_id.epoch.value();
  p.current_leader.leader_id = m.current_leader.leader_id.value();
  p.current_leader.leader_epoch = m.current_leader.leader_epoch.value();
  p.size = m.size;
  p.position = m.position;
  p.unaligned_records = protocol::RecordsRef{m.bytes.data(), m.bytes.size(), false};
  WireResponse::TopicSnapshot topic;
  topic.name = std::string(kMetadataTopic);
  topic.partitions.push_back(std::move(p));
  out.topics.push_back(std::move(topic));
  return out;
}

Result<FetchSnapshotResponse, WireError> from_wire(const protocol::FetchSnapshotResponse& m) {
  FetchSnapshotResponse out;
  if (m.error_code != 0) {
    out.error = static_cast<ErrorCode>(m.error_code);
    return out;
  }
  const auto* p = detail::metadata_partition(
      m.topics, [](const auto& t) -> const std::string& { return t.name; }, [](const auto& part) { return part.index; });
  if (p == nullptr) return Unexpected(WireError::not_metadata_partition);
  if (p->size < 0 || p->position < 0) return Unexpected(WireError::malformed);
  out.error = static_cast<ErrorCode>(p->error_code);
  out.snapshot_id = {Offset{p->snapshot_id.end_offset}, LeaderEpoch{p->snapshot_id.epoch}};
  out.current_leader = {NodeId{p->current_leader.leader_id}, LeaderEpoch{p->current_leader.leader_epoch}};
  out.size = p->size;
  out.position = p->position;
  if (!p->unaligned_records.is_null) {
    out.bytes.assign(p->unaligned_records.data, p->unaligned_records.data + p->unaligned_records.size);
  }
  return out;
}

}  // namespace runnel::raft::wire
