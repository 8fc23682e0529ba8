// Dynamic voters (KIP-853): the voter set along the log, and the leader's side of AddRaftVoter,
// RemoveRaftVoter and UpdateRaftVoter.
//
// A VotersRecord takes effect when it is appended, on every replica, committed or not (Raft's
// single-server membership change); truncating it away brings back the set before it. Safety
// rests on three rules the leader keeps:
//
// - one change at a time: a change starts only when no voters entry is uncommitted, so the sets
//   of any two consecutive configurations differ by one voter and their majorities overlap;
// - the leader must have committed an entry of its own epoch first (the LeaderChange record), the
//   fix to the single-server change that Ongaro published after the Raft paper: without it, a
//   leader of a newer epoch could commit a change that conflicts with an uncommitted one of an
//   older epoch and two majorities need not overlap;
// - changing endpoints (UpdateRaftVoter) never changes who votes, so it needs neither rule.
//
// A replica grants votes without consulting its own voter set (a voter that has not yet seen the
// record that added it must still vote, or a new leader could never gather a majority); a node
// stands for election only while it is a voter in its own log's set. A leader that removes itself
// leads, without counting itself, until the removal commits, then resigns.

#include <algorithm>

#include "broker/model/assert.h"
#include "broker/raft/replica.h"

namespace runnel::raft {

std::optional<VoterSet> Replica::voters_at(Offset end) const {
  if (!config_.dynamic) return std::nullopt;
  const VoterSet* in_force = &voter_history_.front().set;
  for (const auto& v : voter_history_) {
    if (v.offset < end) in_force = &v.set;
  }
  return *in_force;
}

void Replica::note_voters_appended(const Entry& entry) {
  if (entry.type != EntryType::voters) return;
  std::optional<VoterSet> set = decode_voters(entry.payload);
  // Only leaders write voters entries and they encode what they decode; a payload that does not
  // decode came from a broken leader and is ignored rather than trusted.
  if (!set) return;
  voter_history_.push_back({entry.offset, std::move(*set)});
}

void Replica::forget_voters_from(Offset end) {
  bool changed = false;
  while (voter_history_.size() > 1 && voter_history_.back().offset >= end) {
    voter_history_.pop_back();
    changed = true;
  }
  if (voter_change_ && voter_change_->offset >= end) voter_change_.reset();
  if (changed) voters_changed();
}

void Replica::forget_voters_below(Offset start) {
  // The newest entry below the log start becomes the base: the snapshot there records it.
  while (voter_history_.size() > 1 && voter_history_[1].offset < start) {
    voter_history_.erase(voter_history_.begin());
    voter_history_.front().offset = Offset{-1};
    base_voters_recorded_ = true;
  }
}

void Replica::reset_voters(std::optional<VoterSet> from_snapshot) {
  voter_history_.clear();
  base_voters_recorded_ = from_snapshot.has_value();
  if (from_snapshot) {
    voter_history_.push_back({Offset{-1}, std::move(*from_snapshot)});
  } else {
    voter_history_.push_back(
        {Offset{-1}, config_.dynamic ? config_.bootstrap_voters : VoterSet::of_ids(config_.voters)});
  }
}

bool Replica::may_stand() const {
  if (voter_) return true;
  if (!config_.dynamic || voter_history_.size() < 2) return false;
  // Not in the newest voter set, but in the one before, and the newest is not known to be
  // committed (a restart forgets the high watermark): a leader that removed itself and lost its
  // leadership before the removal committed. The other voters may be unable to elect anyone
  // without us (our log is longer than theirs, and the set before needs our vote), so we may
  // stand, counting votes of the newest set only, which we are not in. That is safe as any
  // election (LogCabin does the same): the winner holds the newest set and a majority of it
  // voted. Once it commits the removal, it resigns for good. If a leader is alive, the pre-vote
  // answers name it, we follow it as an observer and learn that the removal is committed.
  const VotersAt& newest = voter_history_.back();
  const VotersAt& before = voter_history_[voter_history_.size() - 2];
  return newest.offset >= high_watermark_ && before.set.contains(config_.node_id, config_.directory_id);
}

void Replica::voters_changed() {
  const bool could_stand = may_stand_;
  voter_ = voters().contains(config_.node_id, config_.directory_id);
  may_stand_ = may_stand();
  if (leader_) leader_->set_voters(voters().ids());
  if (could_stand == may_stand_) return;
  if (!may_stand_ && (role_ == Role::prospective || role_ == Role::candidate)) {
    // Removed while standing: an observer does not campaign. It looks for the leader at once.
    leave_role();
    role_ = Role::unattached;
    election_deadline_ms_ = now_ms_;
  } else if (may_stand_ && role_ == Role::unattached) {
    election_deadline_ms_ = now_ms_ + random_election_timeout();
  }
}

ErrorCode Replica::voter_change_refusal(const std::string& what, std::string& message) const {
  // Kafka's checks and texts (AddVoterHandler/RemoveVoterHandler), in Kafka's order; the cluster
  // id, leadership and request shape are checked by the caller first.
  if (voter_change_ && !config_.bugs.concurrent_voter_changes) {
    message = "Request timed out waiting for leader to handle previous voter change request";
    return ErrorCode::request_timed_out;
  }
  if (high_watermark_ <= leader_->epoch_start_offset()) {
    message = "Request timed out waiting for leader to establish HWM and fence previous voter changes";
    return ErrorCode::request_timed_out;
  }
  if (!config_.dynamic) {
    message = "Cluster doesn't support " + what + " voter because the kraft.version feature is 0";
    return ErrorCode::unsupported_version;
  }
  if (voter_history_.back().offset >= high_watermark_ && !config_.bugs.concurrent_voter_changes) {
    message = "Request timed out waiting for voters to commit the latest voter change at " +
              std::to_string(voter_history_.back().offset.value()) + " with HWM " +
              std::to_string(high_watermark_.value());
    return ErrorCode::request_timed_out;
  }
  return ErrorCode::none;
}

void Replica::append_voters(VoterSet next) {
  Offset at = log_.end_offset();
  append_to_log({Entry{at, quorum_.epoch, EntryType::voters, encode_voters(next)}});
  update_high_watermark();
  answer_parked_fetches(/*expired_only=*/false);
}

void Replica::answer_voter_change(ErrorCode error, std::string message) {
  if (!voter_change_) return;
  VoterChangeResponse response{error, std::move(message), current_leader(), voter_change_->api_key};
  NodeId to = voter_change_->requester;
  voter_change_.reset();
  send(to, std::move(response));
}

std::string Replica::default_listener() const {
  return config_.endpoints.empty() ? std::string() : config_.endpoints.front().listener;
}

bool Replica::has_default_listener(const Voter& v) const {
  if (config_.endpoints.empty()) return !v.endpoints.empty();
  for (const auto& e : v.endpoints) {
    if (e.listener == default_listener()) return true;
  }
  return false;
}

void Replica::on_add_voter(NodeId from, const AddVoterRequest& request) {
  VoterChangeResponse response{.current_leader = current_leader(), .api_key = kAddRaftVoterApiKey};
  const Voter& v = request.voter;
  const std::string key = "ReplicaKey(id=" + std::to_string(v.id.value()) + ", directoryId=" + v.directory_id.to_base64() + ")";
  if (request.cluster_id != config_.cluster_id) {
    response.error = ErrorCode::inconsistent_cluster_id;
  } else if (role_ != Role::leader) {
    response.error = ErrorCode::not_leader_or_follower;
  } else if (v.id.value() < 0 || v.directory_id.is_zero()) {
    response.error = ErrorCode::invalid_request;
    response.message = "Add voter request didn't include a valid voter";
  } else if (!has_default_listener(v)) {
    response.error = ErrorCode::invalid_request;
    response.message = "Add voter request didn't include the endpoint for the default listener " + default_listener();
  } else if (response.error = voter_change_refusal("adding", response.message); response.error != ErrorCode::none) {
    // refused below
  } else if (voters().contains(v.id)) {
    response.error = ErrorCode::duplicate_voter;
    response.message = "The voter id for " + key + " is already part of the set of voters [" + describe(voters()) + "].";
  } else if (!leader_->caught_up(v.id, now_ms_, config_.fetch_timeout_ms)) {
    // Adding a replica that cannot vote yet would shrink the margin of the quorum (a majority of
    // the new set must include it) until it catches up: it must be a caught-up observer first.
    // Kafka's rule is looser (caught up once in the epoch); ours asks for a recent fetch at the end.
    response.error = ErrorCode::request_timed_out;
    response.message = "Aborted add voter operation for " + key + " since it is lagging behind";
  }
  if (response.error != ErrorCode::none) {
    send(from, std::move(response));
    return;
  }
  append_voters(voters().with(v));
  // Kafka times the whole operation with controller.quorum.request.timeout.ms, not TimeoutMs.
  voter_change_ = VoterChange{from, kAddRaftVoterApiKey, voter_history_.back().offset,
                              now_ms_ + config_.request_timeout_ms};
  settle_voter_change();
}

void Replica::on_remove_voter(NodeId from, const RemoveVoterRequest& request) {
  VoterChangeResponse response{.current_leader = current_leader(), .api_key = kRemoveRaftVoterApiKey};
  const Voter* known = voters().find(request.voter_id);
  if (request.cluster_id != config_.cluster_id) {
    response.error = ErrorCode::inconsistent_cluster_id;
  } else if (role_ != Role::leader) {
    response.error = ErrorCode::not_leader_or_follower;
  } else if (request.voter_id.value() < 0 || request.voter_directory_id.is_zero()) {
    response.error = ErrorCode::invalid_request;
    response.message = "Remove voter request didn't include a valid voter";
  } else if (response.error = voter_change_refusal("removing", response.message); response.error != ErrorCode::none) {
    // refused below
  } else if (known == nullptr || known->directory_id != request.voter_directory_id || voters().size() == 1) {
    // The key must match exactly, and the last voter stays (Kafka answers both the same way).
    response.error = ErrorCode::voter_not_found;
    response.message = "Cannot remove voter ReplicaKey(id=" + std::to_string(request.voter_id.value()) +
                       ", directoryId=" + request.voter_directory_id.to_base64() + ") from the set of voters [" +
                       describe(voters()) + "]";
  }
  if (response.error != ErrorCode::none) {
    send(from, std::move(response));
    return;
  }
  append_voters(voters().without(request.voter_id));
  voter_change_ = VoterChange{from, kRemoveRaftVoterApiKey, voter_history_.back().offset,
                              now_ms_ + config_.request_timeout_ms};
  settle_voter_change();
}

void Replica::on_update_voter(NodeId from, const UpdateVoterRequest& request) {
  VoterChangeResponse response{.current_leader = current_leader(), .api_key = kUpdateRaftVoterApiKey};
  const Voter& v = request.voter;
  const Voter* known = voters().find(v.id);
  if (request.cluster_id != config_.cluster_id) {
    response.error = ErrorCode::inconsistent_cluster_id;
  } else if (ErrorCode e = epoch_error(request.current_leader_epoch); e != ErrorCode::none) {
    response.error = e;
  } else if (role_ != Role::leader) {
    response.error = ErrorCode::not_leader_or_follower;
  } else if (v.id != from || v.id.value() < 0 || !has_default_listener(v) || v.min_kraft_version > v.max_kraft_version) {
    response.error = ErrorCode::invalid_request;
  } else if (std::string ignored; voter_change_refusal("updating", ignored) == ErrorCode::request_timed_out) {
    response.error = ErrorCode::request_timed_out;
  } else if (!config_.dynamic) {
    response.error = ErrorCode::unsupported_version;
  } else if (known == nullptr || !voters().contains(v.id, v.directory_id)) {
    response.error = ErrorCode::voter_not_found;
  } else if (known->endpoints != v.endpoints || known->min_kraft_version != v.min_kraft_version ||
             known->max_kraft_version != v.max_kraft_version) {
    // Endpoints only: who votes stays the same. Answered at once, as Kafka does; the record follows.
    Voter updated = v;
    updated.directory_id = known->directory_id;
    append_voters(voters().with(std::move(updated)));
  }
  send(from, std::move(response));
}

void Replica::on_voter_change_response(NodeId /*from*/, const VoterChangeResponse& response) {
  // Only UpdateRaftVoter is ours to send. On success the record arrives through the log; on an
  // error the follower asks again after the request timeout.
  if (response.api_key != kUpdateRaftVoterApiKey) return;
  if (response.current_leader.leader_epoch > quorum_.epoch) {
    enter_epoch(response.current_leader.leader_epoch, response.current_leader.leader_id);
  }
}

void Replica::settle_voter_change() {
  if (!voter_change_ || !leader_) return;
  if (high_watermark_ > voter_change_->offset) {
    answer_voter_change(ErrorCode::none, {});
    return;
  }
  if (now_ms_ >= voter_change_->deadline_ms) {
    answer_voter_change(ErrorCode::request_timed_out, "Timed out waiting for the voter change to commit");
  }
}

void Replica::update_own_endpoints_if_stale() {
  // A voter whose endpoints the voter set does not have (it moved, or it was added by an older
  // bootstrap without a listener) asks the leader to record them (UpdateRaftVoter).
  if (!config_.dynamic || !voter_ || config_.endpoints.empty() || role_ != Role::follower) return;
  const Voter* me = voters().find(config_.node_id);
  if (me == nullptr || me->endpoints == config_.endpoints || now_ms_ < next_update_voter_ms_) return;
  next_update_voter_ms_ = now_ms_ + config_.request_timeout_ms;
  Voter v = *me;
  v.endpoints = config_.endpoints;
  v.min_kraft_version = 0;
  v.max_kraft_version = 1;
  send(quorum_.leader_id, UpdateVoterRequest{config_.cluster_id, quorum_.epoch, std::move(v)});
}

}  // namespace runnel::raft
