#include "sim_schedule.h"

#include <memory>

#include "sim_world.h"

namespace runnel::raft::sim {

namespace {

template <typename T, size_t N>
T pick(Random& r, const T (&choices)[N]) {
  return choices[r.below(N)];
}

}  // namespace

void inject_fault(World& w) {
  Random& r = w.random();
  size_t n = w.size();
  auto any_node = [&] { return static_cast<size_t>(r.below(n)); };
  uint64_t kind = r.below(100);
  if (kind < 30) {
    // Half the crashes hit a leader, where most of the protocol's promises are made.
    size_t i = any_node();
    for (size_t j = 0; j < n && r.chance(0.5); ++j) {
      if (w.up(j) && w.replica(j)->role() == Role::leader) i = j;
    }
    w.crash(i);
    // Often a supervisor brings it straight back (kill -9, then restart).
    if (r.chance(0.5)) w.at(w.now() + r.between(0, 300), [&w, i] { w.restart(i); });
  } else if (kind < 55) {
    for (size_t k = 0; k < n; ++k) {
      size_t i = any_node();
      if (!w.up(i)) {
        w.restart(i);
        break;
      }
    }
  } else if (kind < 65) {
    size_t i = any_node();
    w.note("partition: node " + std::to_string(i) + " isolated");
    for (size_t j = 0; j < n; ++j) {
      if (j == i) continue;
      w.cut(i, j);
      w.cut(j, i);
    }
  } else if (kind < 75) {
    std::vector<bool> side(n);
    std::string desc = "partition: {";
    for (size_t i = 0; i < n; ++i) {
      side[i] = r.chance(0.5);
      if (side[i]) desc += std::to_string(i) + ",";
    }
    w.note(desc + "} | rest");
    for (size_t i = 0; i < n; ++i) {
      for (size_t j = 0; j < n; ++j) {
        if (side[i] != side[j]) w.cut(i, j);
      }
    }
  } else if (kind < 80) {
    // A graceful hand-over by whoever leads.
    for (size_t i = 0; i < n; ++i) {
      if (w.up(i) && w.replica(i)->role() == Role::leader) w.step_down(i);
    }
  } else if (kind < 88) {
    size_t links = 1 + r.below(n);
    for (size_t k = 0; k < links; ++k) {
      size_t i = any_node();
      size_t j = any_node();
      if (i == j) continue;
      w.note("partition: one-way " + std::to_string(i) + "->" + std::to_string(j));
      w.cut(i, j);
    }
  } else {
    w.note("partition: healed");
    w.heal_network();
  }
}

void choose_faults(World& w, Random& plan) {
  NetworkFaults& f = w.faults();
  f.drop = pick(plan, {0.0, 0.01, 0.05, 0.15});
  f.duplicate = pick(plan, {0.0, 0.02, 0.1});
  f.delay_max_ms = pick(plan, {int64_t{5}, int64_t{30}, int64_t{150}});
  for (size_t i = 0; i < w.size(); ++i) w.set_flush_latency(i, pick(plan, {int64_t{2}, int64_t{10}, int64_t{50}, int64_t{200}}));
}

void schedule_faults(World& w, Random& plan, int64_t every_ms, int64_t until_ms) {
  for (int64_t t = plan.between(0, every_ms); t < until_ms; t += plan.between(every_ms / 2, every_ms * 3 / 2)) {
    w.at(t, [&w] { inject_fault(w); });
  }
}

void heal(World& w) {
  w.note("HEAL");
  w.heal_network();
  w.faults().drop = 0;
  w.faults().duplicate = 0;
  w.set_step_crash(0);
  for (size_t i = 0; i < w.size(); ++i) w.restart(i);
}

namespace {

struct Probe {
  Offset offset{-1};
  size_t node = 0;
};

}  // namespace

namespace {

// Administrators' AddRaftVoter/RemoveRaftVoter at random times: each picks a node and adds it if
// the receiving node's voter set lacks it, removes it otherwise.
void schedule_voter_changes(World& w, Random& plan, int64_t every_ms, int64_t until_ms) {
  for (int64_t t = plan.between(0, every_ms); t < until_ms; t += plan.between(every_ms / 2, every_ms * 3 / 2)) {
    w.at(t, [&w] {
      Random& r = w.random();
      // Mostly to the leader (a real tool finds it), sometimes to anyone (NOT_LEADER_OR_FOLLOWER).
      size_t to = static_cast<size_t>(r.below(w.size()));
      for (size_t i = 0; i < w.size() && r.chance(0.8); ++i) {
        if (w.up(i) && w.replica(i)->role() == Role::leader) to = i;
      }
      if (!w.up(to)) return;
      const VoterSet& voters = w.replica(to)->voters();
      size_t target = static_cast<size_t>(r.below(w.size()));
      const RaftConfig& c = w.config(target);
      if (voters.contains(c.node_id)) {
        w.admin(to, RemoveVoterRequest{c.cluster_id, c.node_id, c.directory_id});
      } else {
        Voter v{.id = c.node_id, .directory_id = c.directory_id, .endpoints = c.endpoints};
        w.admin(to, AddVoterRequest{c.cluster_id, 5000, v});
      }
    });
  }
}

}  // namespace

ScheduleResult run_schedule(uint64_t seed, const ScheduleOptions& options) {
  ScheduleResult result{.seed = seed};
  Random plan(seed);
  // A third of the schedules run a dynamic quorum (KIP-853): 1 or 3 bootstrap voters, the other
  // nodes formatted --no-initial-controllers, and voters added and removed throughout the chaos.
  const bool dynamic = options.dynamic.value_or(plan.chance(0.33));
  int voters = 0;
  int observers = 0;
  if (dynamic) {
    voters = plan.chance(0.5) ? 1 : 3;
    observers = static_cast<int>(plan.between(1, 3));
  } else {
    voters = plan.chance(0.6) ? 3 : 5;
    observers = plan.chance(0.25) ? 1 : 0;
  }
  // Mostly Kafka's defaults; sometimes timeouts short enough that slow messages (150 ms) and
  // slow disks (200 ms) are a good part of an election timeout.
  int64_t election_timeout_ms = plan.chance(0.7) ? 1000 : 400;
  auto world = std::make_unique<World>(plan.next(), voters, observers, options.bugs, options.trace, election_timeout_ms,
                                       dynamic);
  World& w = *world;

  choose_faults(w, plan);
  NetworkFaults& f = w.faults();
  int64_t chaos_ms = plan.between(4000, 10000);
  int64_t fault_every_ms = pick(plan, {int64_t{100}, int64_t{300}, int64_t{800}, int64_t{2000}});
  double step_crash = pick(plan, {0.0, 0.0, 0.001, 0.005});
  w.set_step_crash(step_crash);
  // Half the schedules report refused connections to crashed nodes (a fast failover path).
  double refusals = pick(plan, {0.0, 0.5, 1.0, 0.0});
  w.set_refusals(refusals);
  int64_t propose_every_ms = pick(plan, {int64_t{20}, int64_t{60}, int64_t{200}});
  // Most schedules snapshot and trim, some often (every few records, so lagging and restarted
  // nodes need FetchSnapshot), some never (the log from offset 0 stays exercised too).
  int64_t snapshot_every = pick(plan, {int64_t{0}, int64_t{5}, int64_t{20}, int64_t{60}});
  for (size_t i = 0; i < w.size(); ++i) w.set_snapshot_every(i, snapshot_every);
  std::string flushes;
  for (size_t i = 0; i < w.size(); ++i) flushes += (i ? "/" : "") + std::to_string(w.node(i).flush_max_ms);
 result.profile = std::string(dynamic ? "dynamic quorum, " : "") + std::to_string(voters) + " voters + " + std::to_string(observers) + " observer, election timeout " +
                   std::to_string(election_timeout_ms) + " ms, drop " +
                   std::to_string(f.drop) + ", dup " + std::to_string(f.duplicate) + ", delay <= " +
                   std::to_string(f.delay_max_ms) + " ms, flush <= " + flushes + " ms, step crash " + std::to_string(step_crash) + ", refusals " + std::to_string(refusals) + ", snapshot every " + std::to_string(snapshot_every) + " records, a fault every ~" + std::to_string(fault_every_ms) +
                   " ms for " + std::to_string(chaos_ms) + " ms";

  schedule_faults(w, plan, fault_every_ms, chaos_ms);
  if (dynamic) schedule_voter_changes(w, plan, pick(plan, {int64_t{200}, int64_t{600}, int64_t{1500}}), chaos_ms);
  uint64_t proposal = 0;
  auto propose_somewhere = [&w, &proposal] {
    size_t i = static_cast<size_t>(w.random().below(w.size()));
    std::vector<std::string> records;
    size_t count = 1 + w.random().below(3);
    // Unique records (so the log checks can tell them apart) that overwrite a few keys.
    for (size_t k = 0; k < count; ++k, ++proposal) {
      records.push_back("k" + std::to_string(proposal % 7) + "=" + std::to_string(proposal));
    }
    (void)w.propose(i, std::move(records));
  };
  for (int64_t t = plan.between(0, propose_every_ms); t < chaos_ms; t += plan.between(1, propose_every_ms * 2)) {
    w.at(t, propose_somewhere);
  }

  w.run_until(chaos_ms);

  if (!w.failed()) heal(w);
  Probe probe;
  int64_t deadline = chaos_ms + kLivenessBoundMs;
  while (!w.failed() && options.check_liveness && w.now() < deadline) {
    w.run_until(w.now() + 50);
    if (probe.offset.value() >= 0) {
      const Replica* holder = w.replica(probe.node);
      bool everywhere = true;
      for (size_t i = 0; i < w.size(); ++i) {
        everywhere = everywhere && w.up(i) && w.replica(i)->high_watermark() > probe.offset;
      }
      if (everywhere) {
        result.recovery_ms = w.now() - chaos_ms;
        break;
      }
      // The probe may have been lost with its leader's epoch; propose another below.
      if (holder != nullptr && holder->role() == Role::leader && holder->log().end_offset() > probe.offset) continue;
    }
    for (size_t i = 0; i < w.size(); ++i) {
      if (!w.up(i) || w.replica(i)->role() != Role::leader) continue;
      auto r = w.propose(i, {"probe-" + std::to_string(w.now())});
      if (r) probe = {r->first, i};
    }
  }
  if (!w.failed() && options.check_liveness && result.recovery_ms < 0) {
    std::string states;
    for (size_t i = 0; i < w.size(); ++i) {
      const Replica* r = w.replica(i);
      if (r == nullptr) continue;
      states += " node " + std::to_string(i) + ": " + std::string(role_name(r->role())) + " epoch " +
                std::to_string(r->epoch().value()) + " hw " + std::to_string(r->high_watermark().value()) + ";";
    }
    result.failure = "liveness: no record committed on every node within " + std::to_string(kLivenessBoundMs) +
                     " ms of healing;" + states;
  }
  if (w.failed()) result.failure = *w.checker().violation();
  result.voter_changes = w.voter_changes_answered(ErrorCode::none);
  result.committed_voter_sets = static_cast<int64_t>(w.committed_voters().size());
  result.events = w.events();
  result.committed = w.checker().committed_end().value();
  result.epochs = w.checker().max_epoch().value();
  if (options.trace) result.trace = w.trace();
  return result;
}

}  // namespace runnel::raft::sim
