// Vote and pre-vote (KIP-996), both sides.
//
// A real vote in epoch E is granted at most once per epoch and only to a candidate whose log is
// at least as up to date as ours (last epoch first, then end offset); the grant is persisted
// before the answer leaves. A pre-vote changes no state anywhere. It is refused by a leader and
// by a follower that has heard from its leader within the fetch timeout, so a node that was cut
// off and comes back cannot bump the epoch and depose a healthy leader.

#include "broker/model/assert.h"
#include "broker/raft/replica.h"

namespace runnel::raft {

bool Replica::log_is_up_to_date(LeaderEpoch last_epoch, Offset last_offset) const {
  if (config_.bugs.vote_ignores_log) return true;
  return OffsetAndEpoch{last_offset, last_epoch} >= log_.end_offset_and_epoch();
}

bool Replica::leader_is_alive() const {
  if (role_ == Role::leader) return true;
  return role_ == Role::follower && last_leader_contact_ms_ >= 0 &&
         now_ms_ - last_leader_contact_ms_ < config_.fetch_timeout_ms;
}

void Replica::send_vote_requests(bool prevote) {
  // A pre-vote asks about the epoch the candidate would stand in; a vote is in the current one.
  LeaderEpoch epoch{quorum_.epoch.value() + (prevote ? 1 : 0)};
  for (NodeId v : voters().ids()) {
    if (v == config_.node_id) continue;
    send(v, VoteRequest{config_.cluster_id, epoch, config_.node_id, log_.last_epoch(), log_.end_offset(), prevote});
  }
}

void Replica::on_vote_request(NodeId from, const VoteRequest& request) {
  VoteResponse response{.prevote = request.prevote};
  bool log_ok = log_is_up_to_date(request.last_offset_epoch, request.last_offset);
  if (request.cluster_id != config_.cluster_id) {
    response.error = ErrorCode::inconsistent_cluster_id;
  } else if (request.candidate_id != from || (!config_.dynamic && (!voter_ || !voter(request.candidate_id)))) {
    // A static quorum refuses anyone outside its fixed set. A dynamic one grants without consulting
    // its own voter set: a voter that has not yet seen the record that added it, or a candidate
    // that did, must still be able to form a majority (Raft's membership change rule).
    response.error = ErrorCode::inconsistent_voter_set;
  } else if (request.candidate_epoch < quorum_.epoch) {
    response.error = ErrorCode::fenced_leader_epoch;
  } else if (request.prevote) {
    if (role_ == Role::leader && request.candidate_epoch.value() > quorum_.epoch.value() + 1) {
      // A voter is stranded in an epoch above ours (it stood for election while cut off and its
      // vote requests were lost). It can never follow a leader of an older epoch and everyone
      // else refuses its pre-votes while we lead, so without us it is lost to the quorum for
      // good. Step down into its epoch; the next election is at an epoch it can join.
      enter_epoch(LeaderEpoch{request.candidate_epoch.value() - 1}, kNoNode);
    }
    // Same epoch as ours: the candidate would stand in an epoch where we already have a leader
    // or a vote for someone else, and would be refused for real, so refuse now.
    bool epoch_taken = request.candidate_epoch == quorum_.epoch &&
                       (quorum_.leader_id != kNoNode ||
                        (quorum_.voted_for != kNoNode && quorum_.voted_for != request.candidate_id));
    response.vote_granted = log_ok && !epoch_taken && !leader_is_alive();
  } else {
    if (request.candidate_epoch > quorum_.epoch) enter_epoch(request.candidate_epoch, kNoNode);
    bool free = quorum_.leader_id == kNoNode &&
                (quorum_.voted_for == kNoNode || quorum_.voted_for == request.candidate_id);
    response.vote_granted = free && log_ok;
    if (response.vote_granted && quorum_.voted_for != request.candidate_id) {
      quorum_.voted_for = request.candidate_id;
      persist_quorum_state();  // the answer below waits for this write
      if (role_ == Role::prospective) {
        leave_role();
        role_ = Role::unattached;
      }
      election_deadline_ms_ = now_ms_ + random_election_timeout();
    }
  }
  // Name the leader only while we hear from it: a voter that answers with a leader sends the
  // candidate back to following it, which must not happen for a leader that is gone (everyone
  // would keep sending everyone back to a dead leader).
  response.leader_id = leader_is_alive() ? quorum_.leader_id : kNoNode;
  response.leader_epoch = quorum_.epoch;
  send(from, response);
}

void Replica::on_vote_response(NodeId from, const VoteResponse& response) {
  if (response.error == ErrorCode::inconsistent_cluster_id || response.error == ErrorCode::inconsistent_voter_set) {
    return;
  }
  if (response.leader_epoch > quorum_.epoch) {
    enter_epoch(response.leader_epoch, response.leader_id);
    return;
  }
  // The voter knows the leader of our epoch: stop campaigning and follow it (KIP-996).
  if (response.leader_epoch == quorum_.epoch && response.leader_id != kNoNode &&
      response.leader_id != config_.node_id &&
      (role_ == Role::prospective || role_ == Role::unattached || role_ == Role::candidate)) {
    become_follower(quorum_.epoch, response.leader_id);
    return;
  }
  if (response.error != ErrorCode::none) return;
  if (response.prevote) {
    if (role_ != Role::prospective) return;
    tally_->record(from, response.vote_granted);
    if (tally_->won()) become_candidate();
  } else {
    if (role_ != Role::candidate || response.leader_epoch != quorum_.epoch) return;
    tally_->record(from, response.vote_granted);
    if (tally_->won()) become_leader();
  }
}

}  // namespace runnel::raft
