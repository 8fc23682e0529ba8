#include "sim_world.h"

#include <algorithm>

#include "broker/raft/snapshot_envelope.h"
#include "durable_state_ops.h"

namespace runnel::raft::sim {

namespace {
constexpr int64_t kTickMs = 10;
}  // namespace

bool Disk::flush(uint64_t seq) {
  if (seq <= flushed_seq_) return false;
  while (!pending_.empty() && pending_.front().seq <= seq) {
    apply(pending_.front().op);
    pending_.pop_front();
  }
  flushed_seq_ = seq;
  return true;
}

void Disk::crash(Random& random) {
  // Writes reach the platter in order; the crash stops them somewhere.
  size_t survive = static_cast<size_t>(random.below(pending_.size() + 1));
  for (size_t i = 0; i < survive; ++i) apply(pending_[i].op);
  if (survive < pending_.size()) {
    if (auto* a = std::get_if<AppendEntries>(&pending_[survive].op); a != nullptr && random.chance(0.5)) {
      AppendEntries torn{{a->entries.begin(), a->entries.begin() + static_cast<long>(random.below(a->entries.size()))}};
      apply(torn);
    }
  }
  pending_.clear();
  flushed_seq_ = 0;  // the next incarnation numbers its requests from 1 again
}

void Disk::apply(const PersistOp& op) { test::apply_persist_op(durable_, op); }

void Disk::save_snapshot(const Snapshot& snapshot) { test::save_snapshot(durable_, snapshot); }

World::World(uint64_t seed, int voters, int observers, InjectedBugs bugs, bool trace, int64_t election_timeout_ms,
             bool dynamic)
    : random_(seed), tracing_(trace), checker_(static_cast<size_t>(voters + observers)) {
  size_t n = static_cast<size_t>(voters + observers);
  std::vector<NodeId> voter_ids;
  for (int i = 0; i < voters; ++i) voter_ids.push_back(NodeId{i});
  // Dynamic quorums: each node's directory id and endpoint, and the voters it was formatted with.
  // (Drawn only for dynamic quorums, so that static schedules stay what they were seed for seed.)
  std::vector<Voter> identities;
  for (size_t i = 0; dynamic && i < n; ++i) {
    Voter v{.id = NodeId{static_cast<int32_t>(i)}};
    for (auto& b : v.directory_id.bytes) b = static_cast<uint8_t>(random_.below(256));
    v.endpoints = {{"CONTROLLER", "node" + std::to_string(i), 9093}};
    identities.push_back(v);
  }
  std::vector<Voter> bootstrap(identities.begin(), identities.begin() + (dynamic ? voters : 0));
  nodes_.resize(n);
  blocked_.assign(n * n, false);
  for (size_t i = 0; i < n; ++i) {
    RaftConfig& c = nodes_[i].config;
    c.node_id = NodeId{static_cast<int32_t>(i)};
    c.voters = voter_ids;
    c.cluster_id = "sim-cluster";
    c.election_timeout_ms = election_timeout_ms;
    c.fetch_timeout_ms = 2 * election_timeout_ms;
    c.request_timeout_ms = election_timeout_ms;
    c.fetch_max_entries = 64;
    c.fetch_snapshot_max_bytes = 40;  // a sim snapshot is ~60 bytes: several chunks
    c.bugs = bugs;
    if (dynamic) {
      c.dynamic = true;
      c.directory_id = identities[i].directory_id;
      c.endpoints = identities[i].endpoints;
      if (static_cast<int>(i) < voters) {
        c.bootstrap_voters = VoterSet(bootstrap);
      } else {
        c.bootstrap_servers = voter_ids;  // formatted --no-initial-controllers
      }
    }
    // Each node reads its own clock, so the timeouts of different nodes do not tick together.
    nodes_[i].clock_offset_ms = random_.between(0, 1'000'000);
    nodes_[i].clock_permille = random_.between(950, 1050);
    nodes_[i].disk = std::make_unique<Disk>(DurableState{});
    restart(i);
  }
}

void World::note(const std::string& line) {
  if (tracing_) trace_.push_back(std::to_string(now_ms_) + "ms " + line);
}

void World::push(Event e) {
  e.order = order_++;
  queue_.push(e);
}

void World::at(int64_t t, std::function<void()> action) {
  actions_.push_back(std::move(action));
  push({.time = t, .kind = Event::Kind::action, .payload = actions_.size() - 1});
}

void World::crash(size_t i) {
  if (!up(i)) return;
  note("node " + std::to_string(i) + " CRASH");
  nodes_[i].replica.reset();
  nodes_[i].disk->crash(random_);
  nodes_[i].flush_in_flight = false;
  nodes_[i].last_written_seq = 0;
  if (observer_ != nullptr) observer_->on_crash(i);
}

void World::step_down(size_t i) {
  if (!up(i)) return;
  note("node " + std::to_string(i) + " STEP DOWN");
  nodes_[i].replica->step_down(local_now(i));
  drain(i);
}

void World::restart(size_t i) {
  if (up(i)) return;
  SimNode& n = nodes_[i];
  ++n.incarnation;
  n.disk->reset_sequence();
  const DurableState& d = n.disk->durable();
  note("node " + std::to_string(i) + " START epoch=" + std::to_string(d.quorum.epoch.value()) +
       " voted=" + std::to_string(d.quorum.voted_for.value()) + " leader=" + std::to_string(d.quorum.leader_id.value()) +
       " log=[" + std::to_string(d.log_start_offset.value()) + "," + std::to_string(test::durable_end(d).value()) + ")");
  checker_.on_start(i, d);
  n.status.clear();
  n.state.reset();
  if (d.snapshot != nullptr) {
    auto contents = unwrap_snapshot(*d.snapshot);
    RUNNEL_ASSERT(contents.has_value(), "node %zu: a snapshot without its envelope", i);
    n.state.load(std::vector<uint8_t>(contents->state.begin(), contents->state.end()), d.log_start_offset);
    checker_.on_applied(i, Offset{d.log_start_offset.value() - 1}, n.state.fingerprint());
  }
  n.replica = std::make_unique<Replica>(n.config, d, local_now(i), random_.next());
  if (observer_ != nullptr) observer_->on_start(i);
  push({.time = now_ms_ + static_cast<int64_t>(random_.below(kTickMs)) + 1, .kind = Event::Kind::tick, .node = i,
        .incarnation = n.incarnation});
  drain(i);
}

Result<OffsetRange, NotLeader> World::propose(size_t i, std::vector<std::string> records) {
  if (!up(i)) return Unexpected(NotLeader{});
  auto r = nodes_[i].replica->propose(local_now(i), records);
  if (r) note("node " + std::to_string(i) + " proposed " + std::to_string(records.size()) + " at " + std::to_string(r->first.value()));
  drain(i);
  return r;
}

void World::run_until(int64_t until_ms) {
  while (!queue_.empty() && queue_.top().time <= until_ms && !failed()) {
    Event e = queue_.top();
    queue_.pop();
    now_ms_ = e.time;
    ++events_;
    dispatch(e);
    for (size_t i = 0; i < nodes_.size() && !failed(); ++i) {
      if (up(i)) checker_.after_step(i, *nodes_[i].replica);
    }
    if (observer_ != nullptr && !failed()) observer_->after_event();
  }
  if (!failed()) now_ms_ = std::max(now_ms_, until_ms);
}

void World::dispatch(const Event& e) {
  switch (e.kind) {
    case Event::Kind::action:
      actions_[e.payload]();
      return;
    case Event::Kind::deliver: {
      Envelope env = std::move(messages_[e.payload]);
      free_messages_.push_back(e.payload);
      size_t to = index(env.destination);
      if (!up(to)) {
        // Nothing listens at a crashed node's address: the sender's connection is refused, which
        // its transport reports (Replica::peer_unreachable), as a TCP RST does on a real network.
        size_t from = index(env.source);
        if (env.source.value() >= 0 && up(from) && random_.chance(refusals_)) {
          note(std::to_string(from) + "->" + std::to_string(to) + " REFUSED " + describe(env.message));
          nodes_[from].replica->peer_unreachable(local_now(from), env.destination, /*refused=*/true);
          drain(from);
        }
        return;
      }
      note(std::to_string(env.source.value()) + "->" + std::to_string(to) + " " + describe(env.message));
      nodes_[to].replica->receive(local_now(to), env);
      drain(to);
      maybe_crash_after_step(to);
      return;
    }
    case Event::Kind::flush:
      if (!up(e.node) || nodes_[e.node].incarnation != e.incarnation) return;
      nodes_[e.node].flush_in_flight = false;
      if (nodes_[e.node].disk->flush(e.seq)) {
        nodes_[e.node].replica->on_persisted(e.seq);
        drain(e.node);  // also starts the next flush for what was written meanwhile
        maybe_crash_after_step(e.node);
      }
      return;
    case Event::Kind::tick:
      if (!up(e.node) || nodes_[e.node].incarnation != e.incarnation) return;
      nodes_[e.node].replica->tick(local_now(e.node));
      drain(e.node);
      push({.time = now_ms_ + kTickMs, .kind = Event::Kind::tick, .node = e.node, .incarnation = e.incarnation});
      return;
  }
}

void World::maybe_crash_after_step(size_t i) {
  if (step_crash_ <= 0 || !random_.chance(step_crash_)) return;
  // As an event of its own, so the checker sees the step's outcome first (what was sent is sent).
  int64_t back = now_ms_ + random_.between(0, 300);
  at(now_ms_, [this, i] { crash(i); });
  at(back, [this, i] { restart(i); });
}

void World::maybe_snapshot(size_t i) {
  SimNode& n = nodes_[i];
  Replica& r = *n.replica;
  Offset at{n.state.applied()};
  if (n.snapshot_every <= 0 || at.value() - r.log().start_offset().value() < n.snapshot_every) return;
  if (!random_.chance(0.5)) return;  // at random committed offsets, not at fixed strides
  OffsetAndEpoch id{at, r.log().at(Offset{at.value() - 1}).epoch};
  std::vector<uint8_t> state = n.state.snapshot();
  Snapshot s{id, wrap_snapshot(r.voters_at(at), state)};
  note("node " + std::to_string(i) + " SNAPSHOT at (" + std::to_string(id.offset.value()) + "," +
       std::to_string(id.epoch.value()) + ")");
  n.disk->save_snapshot(s);
  r.snapshot_created(id, s.bytes);
}

void World::drain(size_t i) {
  SimNode& n = nodes_[i];
  Ready ready = n.replica->take_ready();
  if (!ready.persist.empty()) {
    uint64_t last = ready.persist.back().seq;
    for (auto& p : ready.persist) {
      checker_.on_persist(i, p);
      n.disk->write(std::move(p));
    }
    n.last_written_seq = last;
  }
  // Group commit, as the broker will do it: one fsync at a time, covering everything written
  // before it started.
  if (!n.flush_in_flight && n.last_written_seq > n.disk->flushed_seq()) {
    n.flush_in_flight = true;
    push({.time = now_ms_ + random_.between(1, n.flush_max_ms), .kind = Event::Kind::flush, .node = i,
          .incarnation = n.incarnation, .seq = n.last_written_seq});
  }
  if (ready.snapshot_installed) {
    const Snapshot& s = *ready.snapshot_installed;
    note("node " + std::to_string(i) + " INSTALLED snapshot (" + std::to_string(s.id.offset.value()) + "," +
         std::to_string(s.id.epoch.value()) + ")");
    auto contents = unwrap_snapshot(*s.bytes);
    RUNNEL_ASSERT(contents.has_value(), "node %zu: installed a snapshot without its envelope", i);
    n.state.load(std::vector<uint8_t>(contents->state.begin(), contents->state.end()), s.id.offset);
    checker_.on_applied(i, Offset{s.id.offset.value() - 1}, n.state.fingerprint());
  }
  if (ready.high_watermark) {
    check_committed_voters(i, Offset{n.state.applied()}, *ready.high_watermark);
    checker_.on_commit_notice(i, *ready.high_watermark);
    n.state.apply_until(n.replica->log(), *ready.high_watermark,
                        [&](Offset o, uint64_t fingerprint) { checker_.on_applied(i, o, fingerprint); });
    if (observer_ != nullptr) observer_->on_commit(i, *n.replica, *ready.high_watermark);
    maybe_snapshot(i);
  }
  for (auto& m : ready.messages) {
    checker_.on_send(i, m, n.disk->durable());
    send(i, std::move(m));
  }
  if (tracing_) {
    // One line whenever a node's role, epoch or high watermark changes.
    const Replica& r = *n.replica;
    std::string status = std::string(role_name(r.role())) + " epoch=" + std::to_string(r.epoch().value()) +
                         " leader=" + std::to_string(r.leader_id().value()) +
                         " voted=" + std::to_string(r.voted_for().value()) + " hw=" + std::to_string(r.high_watermark().value());
    if (status != n.status) {
      n.status = status;
      note("node " + std::to_string(i) + " is " + status + " (log end " + std::to_string(r.log().end_offset().value()) +
           ", durable " + std::to_string(r.durable_end_offset().value()) + ")");
    }
  }
}

void World::admin(size_t i, Message request) {
  if (!up(i)) return;
  NodeId source{next_admin_--};
  note("admin " + std::to_string(source.value()) + "->" + std::to_string(i) + " " + describe(request));
  nodes_[i].replica->receive(local_now(i), Envelope{source, NodeId{static_cast<int32_t>(i)}, std::move(request)});
  drain(i);
}

int64_t World::voter_changes_answered(ErrorCode e) const {
  auto it = admin_answers_.find(static_cast<int16_t>(e));
  return it == admin_answers_.end() ? 0 : it->second;
}

void World::check_committed_voters(size_t i, Offset from, Offset to) {
  // KIP-853's rule, as the committed history shows it: each committed voter set differs from the
  // one before it by one voter at most (the overlap of majorities that keeps one leader per epoch).
  const Replica& r = *nodes_[i].replica;
  Offset start = std::max(from, r.log().start_offset());
  for (Offset o = start; o < to && o < r.log().end_offset(); o = Offset{o.value() + 1}) {
    const Entry& e = r.log().at(o);
    if (e.type != EntryType::voters) continue;
    std::optional<VoterSet> set = decode_voters(e.payload);
    if (!set) {
      checker_.fail("voters: node " + std::to_string(i) + " committed an unreadable voters record at " + std::to_string(o.value()));
      return;
    }
    auto [it, added] = committed_voters_.emplace(o, *set);
    if (!added) continue;
    auto differ = [](const VoterSet& a, const VoterSet& b) {
      size_t d = 0;
      for (NodeId id : a.ids()) d += b.contains(id) ? 0 : 1;
      for (NodeId id : b.ids()) d += a.contains(id) ? 0 : 1;
      return d;
    };
    auto check = [&](const VoterSet& before, const VoterSet& after, Offset at) {
      if (differ(before, after) > 1) {
        checker_.fail("voters: the committed voter set changed by more than one voter at " + std::to_string(at.value()) +
                      ": {" + describe(before) + "} -> {" + describe(after) + "}");
      }
    };
    if (it != committed_voters_.begin()) check(std::prev(it)->second, it->second, it->first);
    if (std::next(it) != committed_voters_.end()) check(it->second, std::next(it)->second, std::next(it)->first);
  }
}

void World::send(size_t from, Envelope envelope) {
  if (envelope.destination.value() <= kAdminSource) {
    if (const auto* r = std::get_if<VoterChangeResponse>(&envelope.message)) ++admin_answers_[static_cast<int16_t>(r->error)];
    note("admin answer " + std::to_string(from) + "->" + std::to_string(envelope.destination.value()) + " " +
         describe(envelope.message));
    return;
  }
  size_t to = index(envelope.destination);
  if (blocked(from, to) || random_.chance(faults_.drop)) {
    note(std::to_string(from) + "->" + std::to_string(to) + " LOST " + describe(envelope.message));
    return;
  }
  int copies = random_.chance(faults_.duplicate) ? 2 : 1;
  for (int c = 0; c < copies; ++c) {
    size_t slot;
    if (!free_messages_.empty()) {
      slot = free_messages_.back();
      free_messages_.pop_back();
      messages_[slot] = envelope;
    } else {
      slot = messages_.size();
      messages_.push_back(envelope);
    }
    push({.time = now_ms_ + random_.between(faults_.delay_min_ms, faults_.delay_max_ms), .kind = Event::Kind::deliver,
          .payload = slot});
  }
}

}  // namespace runnel::raft::sim
