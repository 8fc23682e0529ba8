// BeginQuorumEpoch (a new leader announces itself) and EndQuorumEpoch (a leader steps down).
// Both are hints that speed things up: a voter also finds the leader through vote answers and
// fetch answers, and notices a gone leader by its fetch timeout.

#include <algorithm>

#include "broker/model/assert.h"
#include "broker/raft/replica.h"

namespace runnel::raft {

void Replica::tell_voters_of_epoch() {
  if (!leader_) return;
  for (NodeId v : leader_->voters_to_tell(now_ms_, config_.request_timeout_ms)) {
    if (v == config_.node_id) continue;
    send(v, BeginQuorumEpochRequest{config_.cluster_id, config_.node_id, quorum_.epoch});
  }
}

ErrorCode Replica::leader_request_error(NodeId from, const std::string& cluster_id, NodeId leader,
                                       LeaderEpoch epoch) const {
  if (cluster_id != config_.cluster_id) return ErrorCode::inconsistent_cluster_id;
  // In a dynamic quorum the leader may be a voter this replica has not seen added yet.
  if (leader != from || (!config_.dynamic && !voter(from))) return ErrorCode::inconsistent_voter_set;
  if (epoch < quorum_.epoch) return ErrorCode::fenced_leader_epoch;
  return ErrorCode::none;
}

void Replica::on_begin_quorum_epoch(NodeId from, const BeginQuorumEpochRequest& request) {
  BeginQuorumEpochResponse response;
  response.error = leader_request_error(from, request.cluster_id, request.leader_id, request.leader_epoch);
  if (response.error != ErrorCode::none) {
    // refused; the answer below tells the sender our epoch
  } else if (request.leader_epoch > quorum_.epoch) {
    enter_epoch(request.leader_epoch, request.leader_id);
  } else if (role_ != Role::follower || quorum_.leader_id != request.leader_id) {
    become_follower(quorum_.epoch, request.leader_id);
  }
  LeaderIdAndEpoch leader = current_leader();
  response.leader_id = leader.leader_id;
  response.leader_epoch = leader.leader_epoch;
  send(from, response);
}

void Replica::on_begin_quorum_epoch_response(NodeId from, const BeginQuorumEpochResponse& response) {
  if (response.error == ErrorCode::inconsistent_cluster_id) return;
  if (response.leader_epoch > quorum_.epoch) {
    enter_epoch(response.leader_epoch, response.leader_id);
    return;
  }
  if (leader_ && response.error == ErrorCode::none && response.leader_epoch == quorum_.epoch) {
    leader_->on_begin_acknowledged(from);
  }
}

void Replica::on_end_quorum_epoch(NodeId from, const EndQuorumEpochRequest& request) {
  EndQuorumEpochResponse response;
  response.error = leader_request_error(from, request.cluster_id, request.leader_id, request.leader_epoch);
  if (response.error == ErrorCode::none) {
    if (request.leader_epoch > quorum_.epoch) enter_epoch(request.leader_epoch, kNoNode);
    if (may_stand() && (role_ == Role::unattached || (role_ == Role::follower && quorum_.leader_id == from))) {
      // The leader is gone: stand sooner than the timeout, in the order it preferred, so the
      // most up-to-date voter usually stands first and alone.
      const auto& s = request.preferred_successors;
      auto position = static_cast<int64_t>(std::find(s.begin(), s.end(), config_.node_id) - s.begin());
      int64_t step = config_.election_backoff_max_ms / static_cast<int64_t>(std::max<size_t>(voters().size(), 1));
      int64_t deadline = now_ms_ + position * step + static_cast<int64_t>(random_.below(static_cast<uint64_t>(step) + 1));
      last_leader_contact_ms_ = -1;  // grant pre-votes from now on
      if (role_ == Role::follower) leader_resigned_ = true;
      fetch_deadline_ms_ = std::min(fetch_deadline_ms_, deadline);
      election_deadline_ms_ = std::min(election_deadline_ms_, deadline);
    }
  }
  LeaderIdAndEpoch leader = current_leader();
  response.leader_id = leader.leader_id;
  response.leader_epoch = leader.leader_epoch;
  send(from, response);
}

void Replica::on_end_quorum_epoch_response(NodeId /*from*/, const EndQuorumEpochResponse& response) {
  if (response.error == ErrorCode::inconsistent_cluster_id) return;
  if (response.leader_epoch > quorum_.epoch) enter_epoch(response.leader_epoch, response.leader_id);
}

}  // namespace runnel::raft
