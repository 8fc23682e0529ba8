#include "sim_checker.h"

#include <algorithm>
#include <functional>

namespace runnel::raft::sim {

namespace {

uint64_t mix(uint64_t h, uint64_t v) {
  h ^= v + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
  return h * 0xff51afd7ed558ccdULL;
}

uint64_t entry_hash(const Entry& e) {
  uint64_t h = mix(static_cast<uint64_t>(e.offset.value()), static_cast<uint64_t>(e.epoch.value()));
  h = mix(h, static_cast<uint64_t>(e.type));
  return mix(h, std::hash<std::string>{}(e.payload));
}

uint64_t position_key(Offset offset, LeaderEpoch epoch) {
  return (static_cast<uint64_t>(offset.value()) << 24) ^ static_cast<uint64_t>(epoch.value());
}

std::string str(int64_t v) { return std::to_string(v); }

}  // namespace

void Checker::fail(std::string message) {
  if (!violation_) violation_ = std::move(message);
}

void Checker::on_start(size_t node, const DurableState& durable) {
  Shadow& s = nodes_[node];
  s = Shadow{};
  if (durable.log_start_offset.value() > 0) {
    start_after_snapshot(node, durable.log_start_offset);
    s.applied = durable.log_start_offset.value();  // the state machine starts from the snapshot
  }
  for (const auto& e : durable.entries) append(node, e);
}

void Checker::start_after_snapshot(size_t node, Offset end) {
  // A snapshot holds committed records only: the log before it is the committed history's.
  Shadow& s = nodes_[node];
  if (end.value() > static_cast<int64_t>(committed_.size())) {
    fail("snapshot: node " + str(static_cast<int64_t>(node)) + " has a snapshot up to " + str(end.value()) +
         " beyond what any leader committed (" + str(static_cast<int64_t>(committed_.size())) + ")");
    return;
  }
  s.prefix_hash.clear();
  for (int64_t o = 0; o < end.value(); ++o) s.prefix_hash.push_back(committed_[static_cast<size_t>(o)].prefix_hash);
}

void Checker::on_persist(size_t node, const PersistRequest& request) {
  Shadow& s = nodes_[node];
  if (const auto* a = std::get_if<AppendEntries>(&request.op)) {
    for (const auto& e : a->entries) append(node, e);
  } else if (const auto* t = std::get_if<TruncateTo>(&request.op)) {
    if (t->end_offset.value() < s.high_watermark) {
      fail("state-machine safety: node " + str(static_cast<int64_t>(node)) + " truncates to " +
           str(t->end_offset.value()) + " below its high watermark " + str(s.high_watermark));
    }
    if (t->end_offset.value() < static_cast<int64_t>(s.prefix_hash.size())) {
      s.prefix_hash.resize(static_cast<size_t>(t->end_offset.value()));
    }
  } else if (const auto* p = std::get_if<TrimPrefix>(&request.op)) {
    // The records a node drops must be in a snapshot of committed state: its own high watermark.
    if (p->snapshot.offset.value() > s.high_watermark) {
      fail("snapshot: node " + str(static_cast<int64_t>(node)) + " trims its log to " +
           str(p->snapshot.offset.value()) + " above its high watermark " + str(s.high_watermark));
    }
  } else if (const auto* i = std::get_if<InstallSnapshot>(&request.op)) {
    start_after_snapshot(node, i->snapshot.id.offset);
  }
}

void Checker::append(size_t node, const Entry& e) {
  Shadow& s = nodes_[node];
  if (e.offset.value() != static_cast<int64_t>(s.prefix_hash.size())) {
    fail("log: node " + str(static_cast<int64_t>(node)) + " appends offset " + str(e.offset.value()) +
         " at log end " + str(static_cast<int64_t>(s.prefix_hash.size())));
    return;
  }
  uint64_t h = mix(s.prefix_hash.empty() ? 0 : s.prefix_hash.back(), entry_hash(e));
  s.prefix_hash.push_back(h);
  auto [it, inserted] = prefix_by_position_.emplace(position_key(e.offset, e.epoch), h);
  if (!inserted && it->second != h) {
    fail("log matching: node " + str(static_cast<int64_t>(node)) + " has a record at offset " + str(e.offset.value()) +
         " epoch " + str(e.epoch.value()) + " whose prefix differs from another log's record there");
  }
}

void Checker::after_step(size_t node, const Replica& replica) {
  if (replica.role() == Role::leader) check_leader(node, replica);
  check_high_watermark(node, replica);
  if (nodes_[node].applied != replica.high_watermark().value()) {
    fail("commit notices: node " + str(replica.node_id().value()) + " was told of offset " +
         str(nodes_[node].applied) + " but its high watermark is " + str(replica.high_watermark().value()));
  }
}

void Checker::on_commit_notice(size_t node, Offset high_watermark) {
  Shadow& s = nodes_[node];
  if (high_watermark.value() <= s.applied) {
    fail("commit notices: node " + str(static_cast<int64_t>(node)) + " told of offset " + str(high_watermark.value()) +
         " after " + str(s.applied));
  }
  s.applied = high_watermark.value();
}

void Checker::check_leader(size_t node, const Replica& replica) {
  LeaderEpoch epoch = replica.epoch();
  auto [it, inserted] = leaders_.emplace(epoch, replica.node_id());
  if (!inserted && it->second != replica.node_id()) {
    fail("election safety: epoch " + str(epoch.value()) + " has two leaders, " + str(it->second.value()) + " and " +
         str(replica.node_id().value()));
    return;
  }
  // Every record committed by an earlier epoch's leader must be in this leader's log. Commit
  // epochs only grow along the committed history, so those records are a prefix of it.
  auto end = std::lower_bound(committed_.begin(), committed_.end(), epoch,
                              [](const Committed& c, LeaderEpoch e) { return c.commit_epoch < e; });
  size_t count = static_cast<size_t>(end - committed_.begin());
  const Shadow& s = nodes_[node];
  if (count == 0) return;
  if (s.prefix_hash.size() < count || s.prefix_hash[count - 1] != committed_[count - 1].prefix_hash) {
    fail("leader completeness: leader " + str(replica.node_id().value()) + " of epoch " + str(epoch.value()) +
         " lacks records committed before its epoch (committed up to offset " + str(static_cast<int64_t>(count)) +
         ", its log ends at " + str(static_cast<int64_t>(s.prefix_hash.size())) + ")");
  }
}

void Checker::check_high_watermark(size_t node, const Replica& replica) {
  Shadow& s = nodes_[node];
  int64_t hw = replica.high_watermark().value();
  if (hw < s.high_watermark) {
    fail("monotonic high watermark: node " + str(replica.node_id().value()) + " went from " + str(s.high_watermark) +
         " to " + str(hw));
    return;
  }
  if (hw == s.high_watermark) return;
  s.high_watermark = hw;
  if (static_cast<int64_t>(s.prefix_hash.size()) < hw) {
    fail("high watermark: node " + str(replica.node_id().value()) + " at " + str(hw) + " past its log end " +
         str(static_cast<int64_t>(s.prefix_hash.size())));
    return;
  }
  auto committed_end = static_cast<int64_t>(committed_.size());
  int64_t common = std::min(hw, committed_end);
  if (common > 0 && s.prefix_hash[static_cast<size_t>(common - 1)] != committed_[static_cast<size_t>(common - 1)].prefix_hash) {
    fail("state-machine safety: node " + str(replica.node_id().value()) + " committed a prefix up to offset " +
         str(common) + " that differs from the committed history");
    return;
  }
  if (hw <= committed_end) return;
  // Only a leader extends the history: a follower learns its high watermark from a leader, which
  // reported it first.
  if (replica.role() != Role::leader) {
    fail("state-machine safety: follower " + str(replica.node_id().value()) + " committed up to " + str(hw) +
         " beyond what any leader committed (" + str(committed_end) + ")");
    return;
  }
  for (int64_t o = committed_end; o < hw; ++o) {
    committed_.push_back({s.prefix_hash[static_cast<size_t>(o)], replica.epoch()});
  }
}

void Checker::on_applied(size_t node, Offset offset, uint64_t fingerprint) {
  auto o = static_cast<size_t>(offset.value());
  if (o > state_after_.size()) {
    fail("state machines: node " + str(static_cast<int64_t>(node)) + " applied offset " + str(offset.value()) +
         " before offset " + str(static_cast<int64_t>(state_after_.size())) + " was applied anywhere");
  } else if (o == state_after_.size()) {
    state_after_.push_back(fingerprint);
  } else if (state_after_[o] != fingerprint) {
    fail("state machines: node " + str(static_cast<int64_t>(node)) + " is in a different state after offset " +
         str(offset.value()) + " than another node was");
  }
}

void Checker::on_send(size_t node, const Envelope& envelope, const DurableState& disk) {
  auto fail_speech = [&](const std::string& what) {
    fail("durable speech: node " + str(static_cast<int64_t>(node)) + " sent " + describe(envelope.message) + " but " +
         what + " (disk: epoch " + str(disk.quorum.epoch.value()) + ", voted for " +
         str(disk.quorum.voted_for.value()) + ", leader " + str(disk.quorum.leader_id.value()) + ", " +
         str(static_cast<int64_t>(disk.entries.size())) + " records after offset " + str(disk.log_start_offset.value()) + ")");
  };
  // A later epoch on disk supersedes the claim (the same flush may have carried both writes).
  const QuorumStateData& q = disk.quorum;
  if (const auto* v = std::get_if<VoteResponse>(&envelope.message); v && v->vote_granted && !v->prevote) {
    if (q.epoch < v->leader_epoch || (q.epoch == v->leader_epoch && q.voted_for != envelope.destination)) {
      fail_speech("the vote is not on disk");
    }
  } else if (const auto* f = std::get_if<FetchRequest>(&envelope.message); f && q.epoch == f->current_leader_epoch) {
    // The fetch offset must be durable: the snapshot's end, or a record on disk after it.
    auto end = f->fetch_offset.value();
    auto start = disk.log_start_offset.value();
    LeaderEpoch last{-1};
    // Below the snapshot (made since the fetch was queued): the committed snapshot holds it.
    if (end < start) last = f->last_fetched_epoch;
    if (end == start) last = disk.log_start_epoch;
    if (end > start && end - start <= static_cast<int64_t>(disk.entries.size())) {
      last = disk.entries[static_cast<size_t>(end - start - 1)].epoch;
    }
    if (last != f->last_fetched_epoch) fail_speech("its log up to the fetch offset is not on disk");
  } else if (const auto* b = std::get_if<BeginQuorumEpochRequest>(&envelope.message)) {
    if (q.epoch < b->leader_epoch || (q.epoch == b->leader_epoch && q.leader_id != envelope.source)) {
      fail_speech("its leadership is not on disk");
    }
  } else if (const auto* r = std::get_if<FetchResponse>(&envelope.message); r && r->error == ErrorCode::none) {
    if (q.epoch < r->current_leader.leader_epoch) fail_speech("its epoch is not on disk");
  }
}

}  // namespace runnel::raft::sim
