// BeginQuorumEpoch (api key 53) and EndQuorumEpoch (54); see wire.h.

#include "broker/raft/wire.h"
#include "broker/raft/wire_partition.h"

namespace runnel::raft::wire {
namespace {

// Both responses have the same fields: a top-level error, or one partition with the error and
// the responder's leader and epoch.
template <typename Wire>
Wire quorum_epoch_response(ErrorCode error, NodeId leader_id, LeaderEpoch leader_epoch) {
  Wire out;
  if (error == ErrorCode::inconsistent_cluster_id) {
    out.error_code = runnel::wire(error);
    return out;
  }
  typename Wire::TopicData::PartitionData p;
  p.error_code = runnel::wire(error);
  p.leader_id = leader_id.value();
  p.leader_epoch = leader_epoch.value();
  out.topics = detail::one_topic<typename Wire::TopicData>(std::move(p));
  return out;
}

template <typename Response, typename Wire>
Result<Response, WireError> quorum_epoch_response_from(const Wire& m) {
  return detail::response_from(m, Response{}, [](const auto& p, Response& r) {
    r.leader_id = NodeId{p.leader_id};
    r.leader_epoch = LeaderEpoch{p.leader_epoch};
  });
}

}  // namespace

protocol::BeginQuorumEpochRequest to_wire(const BeginQuorumEpochRequest& m, NodeId voter_id) {
  protocol::BeginQuorumEpochRequest::TopicData::PartitionData p;
  p.leader_id = m.leader_id.value();
  p.leader_epoch = m.leader_epoch.value();
  protocol::BeginQuorumEpochRequest out;
  out.cluster_id = detail::cluster_id_to_wire(m.cluster_id);
  out.voter_id = voter_id.value();
  out.topics = detail::one_topic<protocol::BeginQuorumEpochRequest::TopicData>(std::move(p));
  return out;
}

Result<BeginQuorumEpochRequest, WireError> from_wire(const protocol::BeginQuorumEpochRequest& m) {
  const auto* p = detail::metadata_partition(m.topics);
  if (p == nullptr) return Unexpected(WireError::not_metadata_partition);
  return BeginQuorumEpochRequest{m.cluster_id.value_or(""), NodeId{p->leader_id}, LeaderEpoch{p->leader_epoch}};
}

protocol::BeginQuorumEpochResponse to_wire(const BeginQuorumEpochResponse& m) {
  return quorum_epoch_response<protocol::BeginQuorumEpochResponse>(m.error, m.leader_id, m.leader_epoch);
}

Result<BeginQuorumEpochResponse, WireError> from_wire(const protocol::BeginQuorumEpochResponse& m) {
  return quorum_epoch_response_from<BeginQuorumEpochResponse>(m);
}

protocol::EndQuorumEpochRequest to_wire(const EndQuorumEpochRequest& m) {
  protocol::EndQuorumEpochRequest::TopicData::PartitionData p;
  p.leader_id = m.leader_id.value();
  p.leader_epoch = m.leader_epoch.value();
  for (NodeId id : m.preferred_successors) {
    p.preferred_successors.push_back(id.value());
    protocol::EndQuorumEpochRequest::TopicData::PartitionData::ReplicaInfo candidate;
    candidate.candidate_id = id.value();
    p.preferred_candidates.push_back(candidate);
  }
  protocol::EndQuorumEpochRequest out;
  out.cluster_id = detail::cluster_id_to_wire(m.cluster_id);
  out.topics = detail::one_topic<protocol::EndQuorumEpochRequest::TopicData>(std::move(p));
  return out;
}

Result<EndQuorumEpochRequest, WireError> from_wire(const protocol::EndQuorumEpochRequest& m, int16_t version) {
  const auto* p = detail::metadata_partition(m.topics);
  if (p == nullptr) return Unexpected(WireError::not_metadata_partition);
  EndQuorumEpochRequest out{m.cluster_id.value_or(""), NodeId{p->leader_id}, LeaderEpoch{p->leader_epoch}, {}};
  if (version == 0) {
    for (int32_t id : p->preferred_successors) out.preferred_successors.push_back(NodeId{id});
  } else {
    for (const auto& c : p->preferred_candidates) out.preferred_successors.push_back(NodeId{c.candidate_id});
  }
  return out;
}

protocol::EndQuorumEpochResponse to_wire(const EndQuorumEpochResponse& m) {
  return quorum_epoch_response<protocol::EndQuorumEpochResponse>(m.error, m.leader_id, m.leader_epoch);
}

Result<EndQuorumEpochResponse, WireError> from_wire(const protocol::EndQuorumEpochResponse& m) {
  return quorum_epoch_response_from<EndQuorumEpochResponse>(m);
}

}  // namespace runnel::raft::wire
