#pragma once

// A small, fault-free harness for the plain unit tests: replicas in one process, messages
// delivered at once (unless a node is cut off), persistence done at once (unless switched off
// for a node, to look at what waits for it). Time advances in 10 ms ticks.

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <vector>

#include "broker/raft/replica.h"
#include "durable_state_ops.h"

namespace runnel::raft::test {

inline constexpr int64_t kTickMs = 10;

class TestCluster {
 public:
  // With `bootstrap_voters` >= 0, a dynamic quorum (KIP-853) of `voters` nodes: the first
  // `bootstrap_voters` are formatted with each other as voters, the rest --no-initial-controllers
  // (they ask node 0 for the leader, as a bootstrap server).
  explicit TestCluster(int voters, std::vector<DurableState> initial = {}, int bootstrap_voters = -1)
      : bootstrap_voters_(bootstrap_voters) {
    for (int i = 0; i < voters; ++i) ids_.push_back(NodeId{i});
    initial.resize(static_cast<size_t>(voters));
    for (int i = 0; i < voters; ++i) {
      disks_.push_back(initial[static_cast<size_t>(i)]);
      start(i);
    }
    cut_.assign(static_cast<size_t>(voters), false);
    manual_.assign(static_cast<size_t>(voters), false);
  }

  Replica& node(int i) { return *replicas_[static_cast<size_t>(i)]; }
  int64_t now() const { return now_; }
  const std::vector<Envelope>& sent() const { return sent_; }
  // Every Ready::snapshot_installed so far, with the node that installed it.
  const std::vector<std::pair<int, Snapshot>>& installed() const { return installed_; }
  const DurableState& disk(int i) const { return disks_[static_cast<size_t>(i)]; }

  RaftConfig config(int i) const {
    RaftConfig c;
    c.node_id = NodeId{i};
    c.voters = ids_;
    c.cluster_id = "test-cluster";
    c.fetch_snapshot_max_bytes = 16;  // snapshots travel in several chunks
    if (bootstrap_voters_ >= 0) {
      c.dynamic = true;
      c.directory_id = directory_of(i);
      c.endpoints = endpoints_of(i);
      std::vector<Voter> voters;
      for (int v = 0; v < bootstrap_voters_ && i < bootstrap_voters_; ++v) voters.push_back(identity(v));
      c.bootstrap_voters = VoterSet(std::move(voters));
      if (i >= bootstrap_voters_) c.bootstrap_servers = {NodeId{0}};
    }
    return c;
  }

  static Uuid directory_of(int i) {
    Uuid u;
    u.bytes.fill(static_cast<uint8_t>(i + 1));
    return u;
  }
  static std::vector<VoterEndpoint> endpoints_of(int i) {
    return {{"CONTROLLER", "node" + std::to_string(i), 9093}};
  }
  static Voter identity(int i) { return Voter{.id = NodeId{i}, .directory_id = directory_of(i), .endpoints = endpoints_of(i)}; }

  // An administrator's request handed to node i; the answers so far (newest last).
  void admin(int i, Message request) {
    node(i).receive(now_, Envelope{NodeId{-1000}, NodeId{i}, std::move(request)});
    settle();
  }
  const std::vector<VoterChangeResponse>& admin_answers() const { return admin_answers_; }

  void start(int i) {
    replicas_.resize(ids_.size());
    replicas_[static_cast<size_t>(i)] =
        std::make_unique<Replica>(config(i), disks_[static_cast<size_t>(i)], now_, 1000 + static_cast<uint64_t>(i) * 7919);
  }

  // Node i's owner makes a snapshot at its high watermark durable and tells the replica.
  OffsetAndEpoch snapshot(int i, std::vector<uint8_t> bytes) {
    Offset at = node(i).high_watermark();
    OffsetAndEpoch id{at, node(i).log().at(Offset{at.value() - 1}).epoch};
    Snapshot s{id, std::make_shared<const std::vector<uint8_t>>(std::move(bytes))};
    save_snapshot(disks_[static_cast<size_t>(i)], s);
    node(i).snapshot_created(id, s.bytes);
    settle();
    return id;
  }

  // Cut a node off from everyone (both directions) or reconnect it.
  void cut(int i, bool off = true) { cut_[static_cast<size_t>(i)] = off; }
  // While manual, a node's persistence requests wait in pending(i) until persist(i).
  void manual_persistence(int i, bool manual = true) { manual_[static_cast<size_t>(i)] = manual; }
  std::vector<PersistRequest>& pending(int i) { return pending_[i]; }
  void persist(int i) {
    auto& p = pending_[i];
    if (p.empty()) return;
    uint64_t last = p.back().seq;
    for (auto& r : p) apply(i, r.op);
    p.clear();
    node(i).on_persisted(last);
    settle();
  }

  // Delivers messages and performs persistence until nothing moves.
  void settle() {
    for (int round = 0; round < 1000; ++round) {
      bool moved = false;
      for (int i = 0; i < static_cast<int>(ids_.size()); ++i) moved |= drain(i);
      if (inbox_.empty() && !moved) return;
      std::vector<Envelope> batch;
      batch.swap(inbox_);
      for (auto& e : batch) {
        int to = e.destination.value();
        if (to < 0) {  // an administrator's answer
          if (const auto* r = std::get_if<VoterChangeResponse>(&e.message)) admin_answers_.push_back(*r);
          continue;
        }
        if (cut_[static_cast<size_t>(to)] || cut_[static_cast<size_t>(e.source.value())]) continue;
        node(to).receive(now_, e);
      }
    }
  }

  void run(int64_t ms) {
    for (int64_t end = now_ + ms; now_ < end;) {
      now_ += kTickMs;
      for (auto& r : replicas_) r->tick(now_);
      settle();
    }
  }

  // The one node that is leader in the highest epoch, or -1.
  int leader() {
    int found = -1;
    for (int i = 0; i < static_cast<int>(ids_.size()); ++i) {
      if (node(i).role() != Role::leader) continue;
      if (found < 0 || node(i).epoch() > node(found).epoch()) found = i;
    }
    return found;
  }

  int run_until_leader(int64_t max_ms = 20'000) {
    for (int64_t t = 0; t < max_ms && leader() < 0; t += kTickMs) run(kTickMs);
    return leader();
  }

  // A leader, and 200 ms for every follower to have fetched from it; -1 if none was elected.
  int settled_leader() {
    int l = run_until_leader();
    if (l >= 0) run(200);
    return l;
  }

  // The k-th node after `i` (wrapping): the followers of leader i are other(i, 1), other(i, 2).
  int other(int i, int k) const { return (i + k) % static_cast<int>(ids_.size()); }

  template <typename T>
  std::vector<std::pair<Envelope, T>> sent_of() const {
    std::vector<std::pair<Envelope, T>> out;
    for (const auto& e : sent_) {
      if (const auto* m = std::get_if<T>(&e.message)) out.emplace_back(e, *m);
    }
    return out;
  }

 private:
  bool drain(int i) {
    Ready ready = node(i).take_ready();
    bool moved = !ready.messages.empty();
    if (ready.snapshot_installed) installed_.emplace_back(i, *ready.snapshot_installed);
    if (!ready.persist.empty()) {
      moved = true;
      if (manual_[static_cast<size_t>(i)]) {
        for (auto& p : ready.persist) pending_[i].push_back(std::move(p));
      } else {
        for (auto& p : ready.persist) apply(i, p.op);
        node(i).on_persisted(ready.persist.back().seq);
      }
    }
    for (auto& m : ready.messages) {
      sent_.push_back(m);
      inbox_.push_back(std::move(m));
    }
    return moved;
  }

  void apply(int i, const PersistOp& op) { apply_persist_op(disks_[static_cast<size_t>(i)], op); }

  int bootstrap_voters_ = -1;
  std::vector<VoterChangeResponse> admin_answers_;
  std::vector<NodeId> ids_;
  std::vector<std::unique_ptr<Replica>> replicas_;
  std::vector<DurableState> disks_;
  std::vector<bool> cut_;
  std::vector<bool> manual_;
  std::map<int, std::vector<PersistRequest>> pending_;
  std::vector<Envelope> inbox_;
  std::vector<Envelope> sent_;
  std::vector<std::pair<int, Snapshot>> installed_;
  int64_t now_ = 0;
};

// The start of most tests: three voters and a leader every follower has fetched from.
class ThreeVoters : public ::testing::Test {
 protected:
  void SetUp() override {
    leader = c.settled_leader();
    ASSERT_GE(leader, 0);
  }

  TestCluster c{3};
  int leader = -1;
};

// Whether `node` is a follower of `leader`.
inline ::testing::AssertionResult follows(TestCluster& c, int node, int leader) {
  const Replica& r = c.node(node);
  if (r.role() == Role::follower && r.leader_id() == NodeId{leader}) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "node " << node << " is " << role_name(r.role()) << " of leader "
                                       << r.leader_id().value() << " in epoch " << r.epoch().value()
                                       << ", not a follower of " << leader;
}

// A log of `epochs.size()` records, record i in epoch epochs[i].
inline std::vector<Entry> records_in(std::initializer_list<int> epochs) {
  std::vector<Entry> out;
  for (int e : epochs) {
    auto offset = static_cast<int64_t>(out.size());
    out.push_back({Offset{offset}, LeaderEpoch{e}, EntryType::data, "r" + std::to_string(offset) + "e" + std::to_string(e)});
  }
  return out;
}

}  // namespace runnel::raft::test
