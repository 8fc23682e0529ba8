// Replica: construction, the inputs' entry points, persistence bookkeeping and the outbox.
// The protocol itself is in transitions.cc, election.cc, quorum_epoch.cc, replication.cc and
// follower.cc.

#include "broker/raft/replica.h"

#include <algorithm>

#include "broker/model/assert.h"
#include "broker/raft/snapshot_envelope.h"

namespace runnel::raft {

Replica::Replica(RaftConfig config, DurableState recovered, int64_t now_ms, uint64_t seed)
    : config_(std::move(config)),
      voter_(false),
      random_(seed),
      now_ms_(now_ms),
      quorum_(recovered.quorum),
      log_(recovered.log_start_offset, recovered.log_start_epoch) {
  RUNNEL_ASSERT(config_.node_id.value() >= 0, "node id %d", config_.node_id.value());
  RUNNEL_ASSERT(config_.dynamic || !config_.voters.empty(), "node %d: no voters", config_.node_id.value());
  RUNNEL_ASSERT(config_.election_timeout_ms > 0 && config_.fetch_timeout_ms > 0 && config_.request_timeout_ms > 1 &&
                    config_.fetch_max_entries > 0,
                "node %d: election timeout %lld ms, fetch timeout %lld ms, request timeout %lld ms, %d records a fetch",
                config_.node_id.value(), static_cast<long long>(config_.election_timeout_ms),
                static_cast<long long>(config_.fetch_timeout_ms), static_cast<long long>(config_.request_timeout_ms),
                config_.fetch_max_entries);
  std::optional<VoterSet> snapshot_voters;
  if (recovered.snapshot != nullptr) {
    RUNNEL_ASSERT(log_.start_offset().value() > 0, "node %d: a snapshot at offset 0", config_.node_id.value());
    // The owner loaded only a snapshot that unwraps (its validator), so this one does.
    auto contents = unwrap_snapshot(*recovered.snapshot);
    RUNNEL_ASSERT(contents.has_value(), "node %d: the recovered snapshot has no readable envelope",
                  config_.node_id.value());
    snapshot_voters = contents->voters;
    snapshot_ = {log_.start_offset_and_epoch(), std::move(recovered.snapshot)};
    newest_ = snapshot_;
  }
  reset_voters(std::move(snapshot_voters));
  for (auto& e : recovered.entries) {
    note_voters_appended(e);
    log_.append(std::move(e));
  }
  voter_ = voters().contains(config_.node_id, config_.directory_id);
  may_stand_ = may_stand();
  durable_end_ = log_.end_offset();
  // The high watermark is not persisted (as in Kafka): the leader tells it again. Records below
  // the log start are in a snapshot, which only ever holds committed records.
  high_watermark_ = log_.start_offset();
  reported_high_watermark_ = high_watermark_;
  if (quorum_.leader_id == config_.node_id) {
    // We led this epoch before the restart and cannot know what we promised since: step down.
    role_ = Role::resigned;
    election_deadline_ms_ = now_ms_ + random_election_timeout();
  } else if (quorum_.leader_id != kNoNode) {
    role_ = Role::follower;
    fetch_deadline_ms_ = now_ms_ + config_.fetch_timeout_ms;
  } else {
    role_ = Role::unattached;
    // The only voter has nobody to wait for: it stands at the first tick, as Kafka's lone
    // controller does, instead of after an election timeout.
    const bool alone = voter_ && voters().size() == 1;
    election_deadline_ms_ = now_ms_ + (may_stand() && !alone ? random_election_timeout() : 0);
  }
}

void Replica::advance_clock(int64_t now_ms) {
  // The owner's clock must be monotonic (CLOCK_MONOTONIC in the broker); every timeout is a
  // difference of two readings.
  RUNNEL_ASSERT(now_ms >= now_ms_, "node %d: clock went back from %lld to %lld", config_.node_id.value(),
                static_cast<long long>(now_ms_), static_cast<long long>(now_ms));
  now_ms_ = now_ms;
}

void Replica::tick(int64_t now_ms) {
  advance_clock(now_ms);
  switch (role_) {
    case Role::unattached:
      if (!may_stand()) {
        tick_observer_without_leader();
      } else if (now_ms_ >= election_deadline_ms_) {
        become_prospective();
      }
      break;
    case Role::prospective:
    case Role::resigned:
      // A round that neither won nor learned of a leader: ask for pre-votes again. A node that is
      // no voter any more (it removed itself as leader) looks for the new leader instead.
      if (now_ms_ < election_deadline_ms_) break;
      if (may_stand()) {
        become_prospective();
      } else {
        leave_role();
        role_ = Role::unattached;
        election_deadline_ms_ = now_ms_;
      }
      break;
    case Role::candidate:
      if (now_ms_ >= election_deadline_ms_) back_off_after_lost_election();
      break;
    case Role::follower:
      tick_follower();
      break;
    case Role::leader:
      // A leader that removed itself leaves once the removal is committed (voter_changes.cc): the
      // new voters elect a successor, which EndQuorumEpoch asks them to do at once.
      if (leader_->check_quorum_lost(now_ms_) || (!voter_ && high_watermark_ > voter_history_.back().offset)) {
        resign();
        break;
      }
      answer_parked_fetches(/*expired_only=*/true);
      tell_voters_of_epoch();
      settle_voter_change();
      break;
  }
  release_messages();
}

void Replica::receive(int64_t now_ms, const Envelope& envelope) {
  RUNNEL_ASSERT(envelope.destination == config_.node_id, "node %d received a message for %d",
                config_.node_id.value(), envelope.destination.value());
  advance_clock(now_ms);
  NodeId from = envelope.source;
  // A message claiming to come from ourselves is misrouted; answering it would mean sending to
  // ourselves. Remote input never trips an assertion: it is answered or dropped.
  if (from == config_.node_id) return;
  std::visit(
      [&](const auto& m) {
        using T = std::decay_t<decltype(m)>;
        if constexpr (std::is_same_v<T, VoteRequest>) on_vote_request(from, m);
        if constexpr (std::is_same_v<T, VoteResponse>) on_vote_response(from, m);
        if constexpr (std::is_same_v<T, BeginQuorumEpochRequest>) on_begin_quorum_epoch(from, m);
        if constexpr (std::is_same_v<T, BeginQuorumEpochResponse>) on_begin_quorum_epoch_response(from, m);
        if constexpr (std::is_same_v<T, EndQuorumEpochRequest>) on_end_quorum_epoch(from, m);
        if constexpr (std::is_same_v<T, EndQuorumEpochResponse>) on_end_quorum_epoch_response(from, m);
        if constexpr (std::is_same_v<T, FetchRequest>) on_fetch_request(from, m);
        if constexpr (std::is_same_v<T, FetchResponse>) on_fetch_response(from, m);
        if constexpr (std::is_same_v<T, FetchSnapshotRequest>) on_fetch_snapshot_request(from, m);
        if constexpr (std::is_same_v<T, FetchSnapshotResponse>) on_fetch_snapshot_response(from, m);
        if constexpr (std::is_same_v<T, AddVoterRequest>) on_add_voter(from, m);
        if constexpr (std::is_same_v<T, RemoveVoterRequest>) on_remove_voter(from, m);
        if constexpr (std::is_same_v<T, UpdateVoterRequest>) on_update_voter(from, m);
        if constexpr (std::is_same_v<T, VoterChangeResponse>) on_voter_change_response(from, m);
      },
      envelope.message);
  release_messages();
}

Result<OffsetRange, NotLeader> Replica::propose(int64_t now_ms, const std::vector<std::string>& records) {
  advance_clock(now_ms);
  if (role_ != Role::leader) {
    NodeId hint = role_ == Role::follower ? quorum_.leader_id : kNoNode;
    return Unexpected(NotLeader{.leader_hint = hint, .epoch = quorum_.epoch});
  }
  RUNNEL_ASSERT(!records.empty(), "node %d: empty proposal", config_.node_id.value());
  OffsetRange range{log_.end_offset(), Offset{log_.end_offset().value() + static_cast<int64_t>(records.size()) - 1}};
  std::vector<Entry> entries;
  entries.reserve(records.size());
  for (const auto& r : records) {
    entries.push_back({Offset{log_.end_offset().value() + static_cast<int64_t>(entries.size())}, quorum_.epoch,
                       EntryType::data, r});
  }
  append_to_log(std::move(entries));
  update_high_watermark();
  answer_parked_fetches(/*expired_only=*/false);
  release_messages();
  return range;
}

void Replica::step_down(int64_t now_ms) {
  advance_clock(now_ms);
  if (role_ == Role::leader) resign();
  release_messages();
}

void Replica::on_persisted(uint64_t seq) {
  RUNNEL_ASSERT(seq >= persisted_seq_ && seq < next_seq_, "node %d: persisted %llu, expected [%llu, %llu)",
                config_.node_id.value(), static_cast<unsigned long long>(seq),
                static_cast<unsigned long long>(persisted_seq_), static_cast<unsigned long long>(next_seq_));
  persisted_seq_ = seq;
  while (!pending_.empty() && pending_.front().seq <= seq) {
    durable_end_ = pending_.front().end_after;
    pending_.pop_front();
  }
  if (role_ == Role::candidate && tally_->won() && persisted_seq_ >= quorum_state_seq_) become_leader();
  update_high_watermark();
  release_messages();
}

Ready Replica::take_ready() {
  release_messages();
  if (high_watermark_ > reported_high_watermark_) {
    ready_.high_watermark = high_watermark_;
    reported_high_watermark_ = high_watermark_;
  }
  Ready out = std::move(ready_);
  ready_ = Ready{};
  return out;
}

uint64_t Replica::issue(PersistOp op) {
  uint64_t seq = next_seq_++;
  pending_.push_back({seq, log_.end_offset()});
  ready_.persist.push_back({seq, std::move(op)});
  return seq;
}

void Replica::persist_quorum_state() { quorum_state_seq_ = issue(WriteQuorumState{quorum_}); }

void Replica::append_to_log(std::vector<Entry> entries) {
  const size_t history = voter_history_.size();
  for (const auto& e : entries) {
    note_voters_appended(e);
    log_.append(e);
  }
  issue(AppendEntries{std::move(entries)});
  if (voter_history_.size() != history) voters_changed();  // in force once appended
}

void Replica::truncate_log(Offset end_offset) {
  // Committed records are never removed: that is the state-machine safety the simulation checks.
  RUNNEL_ASSERT(end_offset >= high_watermark_, "node %d: truncation to %lld below the high watermark %lld",
                config_.node_id.value(), static_cast<long long>(end_offset.value()),
                static_cast<long long>(high_watermark_.value()));
  if (end_offset >= log_.end_offset()) return;
  log_.truncate_to(end_offset);
  forget_voters_from(end_offset);
  // What is on disk beyond the new end no longer counts, even before the truncation is durable.
  durable_end_ = std::min(durable_end_, end_offset);
  for (auto& p : pending_) p.end_after = std::min(p.end_after, end_offset);
  issue(TruncateTo{end_offset});
}

void Replica::send(NodeId to, Message message) {
  RUNNEL_ASSERT(to != config_.node_id, "node %d: message to itself", to.value());
  // By default a message depends on everything issued before it.
  uint64_t after = config_.bugs.send_before_persisted ? 0 : next_seq_ - 1;
  outbox_.push_back({after, Envelope{config_.node_id, to, std::move(message)}});
}

void Replica::send_records(NodeId to, FetchResponse response) {
  if (leader_ && response.error == ErrorCode::none) leader_->on_high_watermark_sent(to, response.high_watermark);
  uint64_t after = config_.bugs.send_before_persisted ? 0 : quorum_state_seq_;
  outbox_.push_back({after, Envelope{config_.node_id, to, std::move(response)}});
}

void Replica::release_messages() {
  // Messages may leave out of order (a FetchResponse does not wait for the leader's appends);
  // the network reorders anyway, and nothing relies on order between messages.
  std::erase_if(outbox_, [&](Held& h) {
    if (h.after > persisted_seq_) return false;
    ready_.messages.push_back(std::move(h.envelope));
    return true;
  });
}

void Replica::set_high_watermark(Offset offset) {
  if (offset <= high_watermark_) return;  // monotonic: an older answer never lowers it
  RUNNEL_ASSERT(offset <= log_.end_offset(), "node %d: high watermark %lld past the log end %lld",
                config_.node_id.value(), static_cast<long long>(offset.value()),
                static_cast<long long>(log_.end_offset().value()));
  high_watermark_ = offset;
}

void Replica::back_off_after_lost_election() {
  // Kafka's binary exponential election backoff: wait a random while, up to twice as long after
  // each lost election (to controller.quorum.election.backoff.max.ms), then stand again through
  // pre-votes. Candidates that split the vote rarely split it again.
  ++lost_elections_;
  int64_t cap = std::min(config_.election_backoff_max_ms,
                         config_.retry_backoff_ms << std::min<int64_t>(lost_elections_, 20));
  leave_role();
  role_ = Role::unattached;  // same epoch, still voted for ourselves: nothing to persist
  election_deadline_ms_ = now_ms_ + static_cast<int64_t>(random_.below(static_cast<uint64_t>(cap) + 1));
}

int64_t Replica::random_election_timeout() {
  // Kafka's jitter: the timeout plus up to the timeout again, so split votes do not repeat.
  return config_.election_timeout_ms + static_cast<int64_t>(random_.below(static_cast<uint64_t>(config_.election_timeout_ms)));
}

bool Replica::voter(NodeId id) const { return voters().contains(id); }

ErrorCode Replica::epoch_error(LeaderEpoch epoch) const {
  if (epoch < quorum_.epoch) return ErrorCode::fenced_leader_epoch;
  if (epoch > quorum_.epoch) return ErrorCode::unknown_leader_epoch;
  return ErrorCode::none;
}

Result<QuorumDescription, ErrorCode> Replica::describe_quorum() const {
  if (role_ != Role::leader) return Unexpected(ErrorCode::not_leader_or_follower);
  QuorumDescription d{.leader_id = config_.node_id, .leader_epoch = quorum_.epoch, .high_watermark = high_watermark_};
  for (const auto& r : leader_->replicas()) {
    ReplicaDescription rd{r.id, r.end_offset, r.last_fetch_ms, r.last_caught_up_ms};
    (r.voter ? d.current_voters : d.observers).push_back(rd);
  }
  return d;
}

}  // namespace runnel::raft
