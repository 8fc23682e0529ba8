// Vote (api key 52) and the pre-vote tag; see wire.h.

#include <algorithm>

#include "broker/raft/wire.h"
#include "broker/raft/wire_partition.h"

namespace runnel::raft::wire {
namespace {

using WireVoteRequest = protocol::VoteRequest;
using WireVoteResponse = protocol::VoteResponse;

// Inserts the pre-vote tag among the partition's other unknown tags, keeping tag order (the
// generated encoder writes them in the order given).
void set_prevote_tag(std::vector<protocol::RawTaggedField>& tags) {
  auto at = std::find_if(tags.begin(), tags.end(), [](const auto& t) { return t.tag >= kPreVoteTag; });
  if (at != tags.end() && at->tag == kPreVoteTag) {
    at->data = {1};
    return;
  }
  tags.insert(at, protocol::RawTaggedField{kPreVoteTag, {1}});
}

// Absent: a real vote. Present: exactly one byte, 0 or 1.
Result<bool, WireError> prevote_tag(const std::vector<protocol::RawTaggedField>& tags) {
  for (const auto& t : tags) {
    if (t.tag != kPreVoteTag) continue;
    if (t.data.size() != 1 || t.data[0] > 1) return Unexpected(WireError::malformed);
    return t.data[0] == 1;
  }
  return false;
}

}  // namespace

protocol::VoteRequest to_wire(const VoteRequest& m, NodeId voter_id) {
  WireVoteRequest::TopicData::PartitionData p;
  p.candidate_epoch = m.candidate_epoch.value();
  p.candidate_id = m.candidate_id.value();
  p.last_offset_epoch = m.last_offset_epoch.value();
  p.last_offset = m.last_offset.value();
  if (m.prevote) set_prevote_tag(p.unknown_tagged_fields);
  WireVoteRequest out;
  out.cluster_id = detail::cluster_id_to_wire(m.cluster_id);
  out.voter_id = voter_id.value();
  out.topics = detail::one_topic<WireVoteRequest::TopicData>(std::move(p));
  return out;
}

Result<VoteRequest, WireError> from_wire(const protocol::VoteRequest& m) {
  const auto* p = detail::metadata_partition(m.topics);
  if (p == nullptr) return Unexpected(WireError::not_metadata_partition);
  Result<bool, WireError> prevote = prevote_tag(p->unknown_tagged_fields);
  if (!prevote) return Unexpected(prevote.error());
  VoteRequest out;
  out.cluster_id = m.cluster_id.value_or("");
  out.candidate_epoch = LeaderEpoch{p->candidate_epoch};
  out.candidate_id = NodeId{p->candidate_id};
  out.last_offset_epoch = LeaderEpoch{p->last_offset_epoch};
  out.last_offset = Offset{p->last_offset};
  out.prevote = *prevote;
  return out;
}

protocol::VoteResponse to_wire(const VoteResponse& m) {
  WireVoteResponse out;
  if (m.error == ErrorCode::inconsistent_cluster_id) {
    out.error_code = runnel::wire(m.error);
    return out;
  }
  WireVoteResponse::TopicData::PartitionData p;
  p.error_code = runnel::wire(m.error);
  p.leader_id = m.leader_id.value();
  p.leader_epoch = m.leader_epoch.value();
  p.vote_granted = m.vote_granted;
  out.topics = detail::one_topic<WireVoteResponse::TopicData>(std::move(p));
  return out;
}

Result<VoteResponse, WireError> from_wire(const protocol::VoteResponse& m, bool prevote) {
  VoteResponse out;
  out.prevote = prevote;
  return detail::response_from(m, out, [](const auto& p, VoteResponse& r) {
    r.leader_id = NodeId{p.leader_id};
    r.leader_epoch = LeaderEpoch{p.leader_epoch};
    r.vote_granted = p.vote_granted;
  });
}

}  // namespace runnel::raft::wire
