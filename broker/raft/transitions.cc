// Role transitions (Kafka's QuorumState). Each target role has one function; a transition that
// changes what must survive a crash (epoch, vote, leader) issues a quorum-state write first, and
// every message sent afterwards waits for it (see replica.h).
//
//   unattached  --election timeout-->          prospective
//   follower    --fetch timeout-->             prospective
//   prospective --majority of pre-votes-->     candidate (epoch + 1, votes for itself)
//   prospective --learns the epoch's leader--> follower
//   candidate   --majority of votes-->         leader
//   candidate   --election timeout-->          unattached (same epoch) for a random backoff
//   leader      --check-quorum fails-->        resigned
//   resigned    --election timeout-->          prospective
//   any         --newer epoch seen-->          follower (leader named) or unattached

#include <string>

#include "broker/model/assert.h"
#include "broker/raft/leader_change.h"
#include "broker/raft/replica.h"

namespace runnel::raft {

void Replica::leave_role() {
  // A voter change in flight cannot be answered by a node that no longer leads; whether it
  // commits is up to the next leader. The administrator retries against that one.
  answer_voter_change(ErrorCode::not_leader_or_follower, "The leader changed before the voter change committed");
  tally_.reset();
  leader_.reset();  // parked fetches go unanswered; the fetchers resend after the request timeout
  fetch_in_flight_ = false;
  snapshot_fetch_.reset();
  last_leader_contact_ms_ = -1;
  leader_resigned_ = false;
  next_fetch_ms_ = 0;
}

void Replica::enter_epoch(LeaderEpoch epoch, NodeId leader) {
  RUNNEL_ASSERT(epoch > quorum_.epoch, "node %d: entering epoch %d from %d", config_.node_id.value(), epoch.value(),
                quorum_.epoch.value());
  if (leader != kNoNode && leader != config_.node_id) {
    become_follower(epoch, leader);
  } else {
    become_unattached(epoch);
  }
}

void Replica::become_unattached(LeaderEpoch epoch) {
  RUNNEL_ASSERT(epoch > quorum_.epoch, "node %d: unattached in epoch %d from %d", config_.node_id.value(),
                epoch.value(), quorum_.epoch.value());
  leave_role();
  quorum_ = {epoch, kNoNode, kNoNode};
  persist_quorum_state();
  role_ = Role::unattached;
  election_deadline_ms_ = now_ms_ + (may_stand() ? random_election_timeout() : 0);
}

void Replica::become_follower(LeaderEpoch epoch, NodeId leader) {
  RUNNEL_ASSERT(epoch >= quorum_.epoch && leader != config_.node_id && leader != kNoNode,
                "node %d: follow %d in epoch %d (ours %d)", config_.node_id.value(), leader.value(), epoch.value(),
                quorum_.epoch.value());
  // Election safety, as a local check: one epoch never has two leaders.
  RUNNEL_ASSERT(epoch > quorum_.epoch || quorum_.leader_id == kNoNode || quorum_.leader_id == leader,
                "node %d: epoch %d has leader %d, now told %d", config_.node_id.value(), epoch.value(),
                quorum_.leader_id.value(), leader.value());
  QuorumStateData next{epoch, epoch == quorum_.epoch ? quorum_.voted_for : kNoNode, leader};
  leave_role();
  if (next != quorum_) {
    quorum_ = next;
    persist_quorum_state();
  }
  role_ = Role::follower;
  lost_elections_ = 0;
  fetch_deadline_ms_ = now_ms_ + config_.fetch_timeout_ms;
  send_fetch(leader);
}

void Replica::become_prospective() {
  RUNNEL_ASSERT(may_stand(), "node %d: an observer never stands for election", config_.node_id.value());
  leave_role();
  // Nothing to persist: a pre-vote changes nobody's state, ours included.
  role_ = Role::prospective;
  tally_.emplace(voters().ids(), config_.node_id);
  election_deadline_ms_ = now_ms_ + random_election_timeout();
  if (tally_->won()) {
    become_candidate();  // a quorum of one
    return;
  }
  send_vote_requests(/*prevote=*/true);
}

void Replica::become_candidate() {
  RUNNEL_ASSERT(role_ == Role::prospective, "node %d: candidate from %s", config_.node_id.value(),
                std::string(role_name(role_)).c_str());
  leave_role();
  quorum_ = {LeaderEpoch{quorum_.epoch.value() + 1}, config_.node_id, kNoNode};
  persist_quorum_state();
  role_ = Role::candidate;
  tally_.emplace(voters().ids(), config_.node_id);
  election_deadline_ms_ = now_ms_ + random_election_timeout();
  // A quorum of one has won already, but leads only once its vote for itself is durable
  // (on_persisted): a crash before that would let it lead the same epoch again with another log.
  if (tally_->won()) return;
  send_vote_requests(/*prevote=*/false);
}

void Replica::become_leader() {
  RUNNEL_ASSERT(role_ == Role::candidate && quorum_.voted_for == config_.node_id,
                "node %d: leader from %s, voted for %d", config_.node_id.value(), std::string(role_name(role_)).c_str(),
                quorum_.voted_for.value());
  std::vector<NodeId> granting = tally_->granted();
  leave_role();
  quorum_.leader_id = config_.node_id;
  persist_quorum_state();
  role_ = Role::leader;
  lost_elections_ = 0;
  Offset start = log_.end_offset();
  // Kafka's check-quorum timer is 1.5 fetch timeouts: a follower gets a full fetch timeout and
  // then some before the leader gives up on it.
  leader_.emplace(config_.node_id, voters().ids(), quorum_.epoch, start, now_ms_, config_.fetch_timeout_ms * 3 / 2);
  // The LeaderChange control record opens the epoch; committing it commits every older record.
  std::string payload = encode_leader_change({config_.node_id, voters().ids(), std::move(granting)});
  std::vector<Entry> opening{Entry{start, quorum_.epoch, EntryType::leader_change, std::move(payload)}};
  if (config_.dynamic) {
    // The first leader of a dynamic quorum writes the kraft.version and the voters it was
    // formatted with into the log, as Kafka's does: from then on the log (and its snapshots) is
    // where every replica, a node formatted --no-initial-controllers included, learns the voters.
    // A leader whose own endpoints changed since it was last recorded records the new ones (who
    // votes stays the same, so this is safe without any commit in the epoch).
    VoterSet next = voters();
    if (const Voter* me = next.find(config_.node_id); me != nullptr && !config_.endpoints.empty() &&
                                                      me->endpoints != config_.endpoints) {
      Voter updated = *me;
      updated.endpoints = config_.endpoints;
      next = next.with(std::move(updated));
    }
    if (!voters_recorded()) {
      opening.push_back(Entry{Offset{start.value() + 1}, quorum_.epoch, EntryType::kraft_version, encode_kraft_version(1)});
    }
    if (!voters_recorded() || next != voters()) {
      opening.push_back(Entry{Offset{start.value() + static_cast<int64_t>(opening.size())}, quorum_.epoch,
                              EntryType::voters, encode_voters(next)});
    }
  }
  append_to_log(std::move(opening));
  update_high_watermark();
  tell_voters_of_epoch();
}

void Replica::resign() {
  RUNNEL_ASSERT(role_ == Role::leader, "node %d: resign as %s", config_.node_id.value(),
                std::string(role_name(role_)).c_str());
  std::vector<NodeId> successors = leader_->preferred_successors();
  leave_role();
  role_ = Role::resigned;
  election_deadline_ms_ = now_ms_ + random_election_timeout();
  for (NodeId v : voters().ids()) {
    if (v == config_.node_id) continue;
    send(v, EndQuorumEpochRequest{config_.cluster_id, config_.node_id, quorum_.epoch, successors});
  }
}

}  // namespace runnel::raft
