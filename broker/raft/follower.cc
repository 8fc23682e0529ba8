// The fetcher's side of replication, for followers (voters) and observers.
//
// A follower has at most one fetch in flight and sends the next as soon as an answer is
// applied; the leader parks it until there is something new, so this is a long poll. An answer
// is applied only if it matches the position we fetched from (the echoed fetch offset and last
// fetched epoch); a duplicated or reordered answer does not, and is dropped. On a diverging
// epoch the follower truncates to where the leader's epoch ends and fetches again from there.

#include <algorithm>

#include "broker/model/assert.h"
#include "broker/raft/replica.h"

namespace runnel::raft {

void Replica::send_fetch(NodeId to) {
  fetch_in_flight_ = true;
  fetch_sent_ms_ = now_ms_;
  // The leader may park the fetch for max_wait_ms. It must answer well before we would resend
  // the fetch (a resend supersedes the parked one, which then never gets an answer) or give up
  // on the leader.
  int64_t max_wait_ms = std::min({config_.fetch_max_wait_ms, config_.request_timeout_ms / 2, config_.fetch_timeout_ms / 2});
  // Released only once the log up to fetch_offset is durable (the outbox waits for it), so the
  // offset is a durable acknowledgement the leader may count.
  send(to, FetchRequest{config_.cluster_id, config_.node_id, quorum_.epoch, log_.end_offset(), log_.last_epoch(),
                        max_wait_ms});
}

void Replica::tick_follower() {
  if (now_ms_ >= fetch_deadline_ms_) {
    if (may_stand()) {
      become_prospective();
    } else {
      observer_lost_leader();
    }
    return;
  }
  update_own_endpoints_if_stale();
  if (fetch_in_flight_ && now_ms_ - fetch_sent_ms_ >= config_.request_timeout_ms) fetch_in_flight_ = false;
  if (fetch_in_flight_ || now_ms_ < next_fetch_ms_) return;
  if (snapshot_fetch_) {
    send_fetch_snapshot(quorum_.leader_id);
  } else {
    send_fetch(quorum_.leader_id);
  }
}

void Replica::peer_unreachable(int64_t now_ms, NodeId peer, bool refused) {
  advance_clock(now_ms);
  if (role_ != Role::follower || peer != quorum_.leader_id) return;
  fetch_in_flight_ = false;
  next_fetch_ms_ = now_ms_ + config_.retry_backoff_ms;  // the reconnect tells whether it is gone
  if (refused) {
    last_leader_contact_ms_ = -1;  // grant pre-votes from now on
    // Stand soon, but not together with the other followers, which saw the same refusal at the
    // same moment: two candidates at once split the vote and both wait out an election timeout.
    // So they take turns by node id (the lowest other voter first), a fifth of the election
    // timeout apart, which is far longer than a vote round on a LAN, plus a little jitter.
    int64_t position = 0;
    for (NodeId v : voters().ids()) {
      if (v != peer && v < config_.node_id) ++position;
    }
    const int64_t step = config_.election_timeout_ms / 5;
    int64_t wait = position * step + static_cast<int64_t>(random_.below(static_cast<uint64_t>(step / 4) + 1));
    fetch_deadline_ms_ = std::min(fetch_deadline_ms_, now_ms_ + wait);
  }
  release_messages();
}

void Replica::observer_lost_leader() {
  leave_role();
  quorum_.leader_id = kNoNode;
  persist_quorum_state();
  role_ = Role::unattached;
  election_deadline_ms_ = now_ms_;
}

void Replica::tick_observer_without_leader() {
  // An observer finds the leader by asking a bootstrap server (controller.quorum.bootstrap.servers)
  // or a voter it knows of: the answer names the current leader. Both, because either may be out
  // of date: the bootstrap servers may all have been removed as voters since, and a node
  // formatted --no-initial-controllers knows no voter until it has fetched.
  if (now_ms_ < election_deadline_ms_) return;
  election_deadline_ms_ = now_ms_ + config_.request_timeout_ms;
  std::vector<NodeId> ask = config_.bootstrap_servers;
  for (NodeId v : voters().ids()) {
    if (v != config_.node_id && std::find(ask.begin(), ask.end(), v) == ask.end()) ask.push_back(v);
  }
  if (ask.empty()) return;
  send_fetch(ask[random_.below(ask.size())]);
  fetch_in_flight_ = false;
}

bool Replica::records_fit(const std::vector<Entry>& records) const {
  Offset next = log_.end_offset();
  LeaderEpoch epoch = log_.last_epoch();
  for (const auto& r : records) {
    if (r.offset != next || r.epoch < epoch || r.epoch > quorum_.epoch || r.epoch <= kNoEpoch) return false;
    next = Offset{next.value() + 1};
    epoch = r.epoch;
  }
  return true;
}

void Replica::on_fetch_response(NodeId from, const FetchResponse& response) {
  if (response.error == ErrorCode::inconsistent_cluster_id) return;
  const LeaderIdAndEpoch& leader = response.current_leader;
  if (leader.leader_epoch > quorum_.epoch) {
    enter_epoch(leader.leader_epoch, leader.leader_id);
    return;
  }
  if (role_ == Role::unattached && !may_stand() && leader.leader_epoch == quorum_.epoch && leader.leader_id != kNoNode &&
      leader.leader_id != config_.node_id) {
    become_follower(quorum_.epoch, leader.leader_id);
    return;
  }
  // Only the leader's own answers count: a leader that resigned (a graceful hand-over) answers
  // the fetch it had parked without naming itself. Taking that answer as contact would make this
  // node refuse pre-votes and push its election back by a whole fetch timeout, just after
  // EndQuorumEpoch asked it to stand at once.
  if (role_ != Role::follower || from != quorum_.leader_id) return;
  if (leader.leader_epoch != quorum_.epoch || leader.leader_id != from) {
    // Our leader's answer that no longer names it (it resigned, or its handler gave up as the
    // process stopped): fetch again soon; a leader that is gone then refuses the connection.
    if (fetch_in_flight_ && response.fetch_offset == log_.end_offset()) {
      fetch_in_flight_ = false;
      next_fetch_ms_ = now_ms_ + config_.retry_backoff_ms;
    }
    return;
  }
  if (snapshot_fetch_) return;  // a late answer: we are reading a snapshot now
  if (response.fetch_offset != log_.end_offset() || response.last_fetched_epoch != log_.last_epoch()) return;
  fetch_in_flight_ = false;
  if (response.error != ErrorCode::none) {
    next_fetch_ms_ = now_ms_ + config_.retry_backoff_ms;
    return;
  }
  // Records that do not continue our log come from a broken leader: drop the answer, the next
  // tick fetches again, and a leader that never answers usefully times out.
  if (!response.snapshot_id && !response.diverging_epoch && !records_fit(response.records)) {
    next_fetch_ms_ = now_ms_ + config_.retry_backoff_ms;
    return;
  }
  // A leader that told us it resigned (EndQuorumEpoch) is not heard from any more, even by an
  // answer it sent before resigning that arrives after (another connection may overtake it).
  if (!leader_resigned_) {
    last_leader_contact_ms_ = now_ms_;
    fetch_deadline_ms_ = now_ms_ + config_.fetch_timeout_ms;
  }
  if (response.snapshot_id) {
    // We are behind the leader's log start: read its snapshot (snapshots.cc).
    start_snapshot_fetch(*response.snapshot_id);
    return;
  }
  if (response.diverging_epoch) {
    truncate_log(log_.truncation_offset(*response.diverging_epoch));
  } else {
    if (!response.records.empty()) append_to_log(response.records);
    // The leader's high watermark, capped at what we hold: below it our log is the leader's.
    if (response.high_watermark.value() >= 0) set_high_watermark(std::min(response.high_watermark, log_.end_offset()));
  }
  send_fetch(quorum_.leader_id);
}

}  // namespace runnel::raft
