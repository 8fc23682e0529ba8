#include "broker/raft/leader_state.h"

#include <algorithm>
#include <functional>

#include "broker/model/assert.h"

namespace runnel::raft {

LeaderState::LeaderState(NodeId self, const std::vector<NodeId>& voters, LeaderEpoch epoch, Offset epoch_start_offset,
                         int64_t now_ms, int64_t check_quorum_timeout_ms)
    : self_(self),
      epoch_(epoch),
      epoch_start_offset_(epoch_start_offset),
      since_ms_(now_ms),
      check_quorum_timeout_ms_(check_quorum_timeout_ms) {
  for (NodeId v : voters) replicas_.push_back({.id = v, .voter = true, .knows_epoch = v == self});
}

ReplicaProgress& LeaderState::progress(NodeId id) {
  for (auto& r : replicas_) {
    if (r.id == id) return r;
  }
  replicas_.push_back({.id = id, .voter = false});
  return replicas_.back();
}

void LeaderState::on_valid_fetch(NodeId replica, Offset fetch_offset, Offset leader_end_offset, int64_t now_ms) {
  RUNNEL_ASSERT(replica != self_, "leader %d fetched from itself", self_.value());
  RUNNEL_ASSERT(fetch_offset <= leader_end_offset, "replica %d fetched at %lld past the leader's end %lld",
                replica.value(), static_cast<long long>(fetch_offset.value()),
                static_cast<long long>(leader_end_offset.value()));
  ReplicaProgress& p = progress(replica);
  // A reordered, older fetch must not lower what the replica is known to hold durably.
  p.end_offset = std::max(p.end_offset, fetch_offset);
  p.last_fetch_ms = now_ms;
  if (fetch_offset == leader_end_offset) p.last_caught_up_ms = now_ms;
  p.knows_epoch = true;
}

void LeaderState::on_snapshot_fetch(NodeId replica, int64_t now_ms) {
  RUNNEL_ASSERT(replica != self_, "leader %d fetched a snapshot from itself", self_.value());
  ReplicaProgress& p = progress(replica);
  p.last_fetch_ms = now_ms;
  p.knows_epoch = true;
}

void LeaderState::on_begin_acknowledged(NodeId voter) { progress(voter).knows_epoch = true; }

void LeaderState::set_voters(const std::vector<NodeId>& voters) {
  for (auto& r : replicas_) r.voter = std::find(voters.begin(), voters.end(), r.id) != voters.end();
  for (NodeId v : voters) progress(v).voter = true;
}

bool LeaderState::caught_up(NodeId replica, int64_t now_ms, int64_t window_ms) const {
  for (const auto& r : replicas_) {
    if (r.id == replica) return r.last_caught_up_ms >= 0 && now_ms - r.last_caught_up_ms <= window_ms;
  }
  return false;
}

void LeaderState::set_local_end_offset(Offset durable_end, int64_t now_ms) {
  ReplicaProgress& p = progress(self_);
  p.end_offset = durable_end;
  p.last_fetch_ms = now_ms;
  p.last_caught_up_ms = now_ms;
}

std::optional<Offset> LeaderState::majority_end_offset() const {
  std::vector<Offset> offsets;
  for (const auto& r : replicas_) {
    if (r.voter) offsets.push_back(r.end_offset);
  }
  if (offsets.empty()) return std::nullopt;
  std::sort(offsets.begin(), offsets.end(), std::greater<>());
  Offset majority = offsets[offsets.size() / 2];
  // Only an offset past this epoch's first record commits anything (see the header).
  if (majority <= epoch_start_offset_) return std::nullopt;
  return majority;
}

bool LeaderState::check_quorum_lost(int64_t now_ms) const {
  if (now_ms - since_ms_ < check_quorum_timeout_ms_) return false;
  size_t voters = 0;
  size_t recent = 0;
  for (const auto& r : replicas_) {
    if (!r.voter) continue;
    ++voters;
    if ((r.id == self_ && r.voter) || (r.last_fetch_ms >= 0 && now_ms - r.last_fetch_ms < check_quorum_timeout_ms_)) ++recent;
  }
  return recent < voters / 2 + 1;
}

std::vector<NodeId> LeaderState::voters_to_tell(int64_t now_ms, int64_t resend_ms) {
  std::vector<NodeId> out;
  for (auto& r : replicas_) {
    if (!r.voter || r.knows_epoch) continue;
    if (r.begin_sent_ms >= 0 && now_ms - r.begin_sent_ms < resend_ms) continue;
    r.begin_sent_ms = now_ms;
    out.push_back(r.id);
  }
  return out;
}

std::vector<NodeId> LeaderState::preferred_successors() const {
  std::vector<const ReplicaProgress*> others;
  for (const auto& r : replicas_) {
    if (r.voter && r.id != self_) others.push_back(&r);
  }
  std::stable_sort(others.begin(), others.end(),
                   [](const ReplicaProgress* a, const ReplicaProgress* b) { return a->end_offset > b->end_offset; });
  std::vector<NodeId> out;
  for (const auto* r : others) out.push_back(r->id);
  return out;
}

}  // namespace runnel::raft
