// JoinGroup, SyncGroup, Heartbeat, LeaveGroup and the rebalance they drive (Kafka's classic
// protocol, as its GroupMetadataManager runs a ClassicGroup).
#include <algorithm>

#include "broker/group/coordinator.h"
#include "broker/group/result_errors.h"

namespace runnel::group {

using detail::join_error;
using detail::sync_error;

void Coordinator::join(JoinRequest req, JoinCallback done) {
  if (ErrorCode e = check_partition(req.group_id); e != ErrorCode::none) return done(join_error(e, req.member_id));
  if (req.session_timeout_ms < config_.min_session_timeout_ms || req.session_timeout_ms > config_.max_session_timeout_ms) {
    return done(join_error(ErrorCode::invalid_session_timeout, req.member_id));
  }
  if (req.rebalance_timeout_ms < 0) req.rebalance_timeout_ms = req.session_timeout_ms;
  if (const ConsumerGroup* cg = consumer_->group(req.group_id)) {
    // A consumer-protocol group in use takes no classic members (no online migration); an
    // empty one is replaced by a classic group, keeping its offsets.
    if (!cg->members.empty()) return done(join_error(ErrorCode::inconsistent_group_protocol, req.member_id));
    int32_t partition = cg->offsets_partition;
    journal_.append(partition, consumer_->tombstones(*cg), [](ErrorCode) {});
    consumer_->forget(req.group_id);
  }
  ClassicGroup* g = find(req.group_id);
  if (g == nullptr && !req.member_id.empty()) return done(join_error(ErrorCode::unknown_member_id, req.member_id));
  bool created = g == nullptr;
  if (g == nullptr) g = &get_or_create(req.group_id);
  if (req.member_id.empty()) {
    join_new_member(*g, req, done);
  } else {
    join_known_member(*g, req, done);
  }
  // A group created by a join that was refused holds nothing: do not keep it.
  if (created && g->members.empty() && g->pending_members.empty() && g->offsets.empty()) remove_group(req.group_id);
}

void Coordinator::join_new_member(ClassicGroup& g, JoinRequest& req, JoinCallback& done) {
  if (g.state == GroupState::dead) return done(join_error(ErrorCode::coordinator_not_available));
  if (!g.supports(req.protocol_type, req.protocols)) return done(join_error(ErrorCode::inconsistent_group_protocol));
  bool known_static = req.instance_id && g.static_members.count(*req.instance_id) != 0;
  if (!known_static && g.members.size() + g.pending_members.size() >= static_cast<size_t>(config_.max_group_size)) {
    return done(join_error(ErrorCode::group_max_size_reached));
  }
  std::string id = new_member_id(req.client_id);
  if (req.instance_id) {
    if (known_static) return update_static_member(g, req, id, std::move(done));
    return add_member_and_rebalance(g, req, id, std::move(done));
  }
  if (req.require_known_member_id) {
    // KIP-394: hand out the id first; the member joins for real with it. A client that never
    // comes back leaves no member behind, only a pending id that expires.
    g.pending_members.insert(id);
    g.pending_timers[id] = timers_.schedule(req.session_timeout_ms, [this, gid = g.id, id] { on_pending_expired(gid, id); });
    return done(join_error(ErrorCode::member_id_required, id));
  }
  add_member_and_rebalance(g, req, id, std::move(done));
}

void Coordinator::join_known_member(ClassicGroup& g, JoinRequest& req, JoinCallback& done) {
  const std::string& id = req.member_id;
  if (g.state == GroupState::dead) return done(join_error(ErrorCode::coordinator_not_available, id));
  if (!g.supports(req.protocol_type, req.protocols)) return done(join_error(ErrorCode::inconsistent_group_protocol, id));
  if (g.pending_members.count(id) != 0) {
    g.pending_members.erase(id);
    if (auto t = g.pending_timers.find(id); t != g.pending_timers.end()) {
      timers_.cancel(t->second);
      g.pending_timers.erase(t);
    }
    return add_member_and_rebalance(g, req, id, std::move(done));
  }
  if (req.instance_id) {
    auto s = g.static_members.find(*req.instance_id);
    if (s != g.static_members.end() && s->second != id) return done(join_error(ErrorCode::fenced_instance_id, id));
  }
  auto it = g.members.find(id);
  if (it == g.members.end()) return done(join_error(ErrorCode::unknown_member_id, id));
  Member& m = it->second;
  switch (g.state) {
    case GroupState::preparing_rebalance:
      return update_member_and_rebalance(g, m, req, std::move(done));
    case GroupState::completing_rebalance:
      // A repeated join (the response got lost): same protocols, same answer.
      if (m.protocols == req.protocols) return done(current_generation_answer(g, m, g.leader == id));
      return update_member_and_rebalance(g, m, req, std::move(done));
    case GroupState::stable:
      // The leader rejoining means it wants a new assignment (e.g. metadata changed).
      if (g.leader == id || m.protocols != req.protocols) return update_member_and_rebalance(g, m, req, std::move(done));
      schedule_heartbeat(g, m);
      return done(current_generation_answer(g, m, false));
    case GroupState::empty:
    case GroupState::dead:
      return done(join_error(ErrorCode::unknown_member_id, id));
  }
}

void Coordinator::add_member_and_rebalance(ClassicGroup& g, JoinRequest& req, const std::string& id, JoinCallback done) {
  Member m;
  m.id = id;
  m.instance_id = req.instance_id;
  m.client_id = req.client_id;
  m.client_host = req.client_host;
  m.session_timeout_ms = req.session_timeout_ms;
  m.rebalance_timeout_ms = req.rebalance_timeout_ms;
  m.protocol_type = req.protocol_type;
  m.protocols = req.protocols;
  m.awaiting_join = std::move(done);
  m.is_new = true;
  if (g.members.empty()) g.protocol_type = req.protocol_type;
  if (!g.leader) g.leader = id;
  if (req.instance_id) g.static_members[*req.instance_id] = id;
  Member& stored = g.members.emplace(id, std::move(m)).first->second;
  schedule_heartbeat(g, stored);
  if (g.initial_join) g.new_member_added = true;
  maybe_prepare_rebalance(g);
  try_complete_join(g);
}

void Coordinator::update_member_and_rebalance(ClassicGroup& g, Member& m, JoinRequest& req, JoinCallback done) {
  if (m.awaiting_join) {
    // The client gave up on its previous join and sent a new one: the old one is answered now.
    JoinCallback old = std::move(m.awaiting_join);
    m.awaiting_join = nullptr;
    old(join_error(ErrorCode::rebalance_in_progress, m.id));
  }
  m.protocols = req.protocols;
  m.session_timeout_ms = req.session_timeout_ms;
  m.rebalance_timeout_ms = req.rebalance_timeout_ms;
  m.client_id = req.client_id;
  m.client_host = req.client_host;
  m.awaiting_join = std::move(done);
  schedule_heartbeat(g, m);
  maybe_prepare_rebalance(g);
  try_complete_join(g);
}

void Coordinator::update_static_member(ClassicGroup& g, JoinRequest& req, const std::string& new_id, JoinCallback done) {
  // KIP-345: a static member that restarts gets a new member id but keeps its place (and its
  // assignment): the old id is fenced, and a stable group does not rebalance.
  std::string old_id = g.static_members[*req.instance_id];
  auto node = g.members.extract(old_id);
  Member m = std::move(node.mapped());
  if (m.heartbeat_timer != 0) timers_.cancel(m.heartbeat_timer);
  m.heartbeat_timer = 0;
  if (m.awaiting_join) {
    JoinCallback old = std::move(m.awaiting_join);
    m.awaiting_join = nullptr;
    old(join_error(ErrorCode::fenced_instance_id, old_id));
  }
  if (m.awaiting_sync) {
    SyncCallback old = std::move(m.awaiting_sync);
    m.awaiting_sync = nullptr;
    old(sync_error(ErrorCode::fenced_instance_id));
  }
  m.id = new_id;
  if (g.pending_sync.erase(old_id) != 0) g.pending_sync.insert(new_id);
  if (g.leader == old_id) g.leader = new_id;
  g.static_members[*req.instance_id] = new_id;
  Member& stored = g.members.emplace(new_id, std::move(m)).first->second;
  bool same_protocols = stored.protocols == req.protocols;
  if (g.state != GroupState::stable || !same_protocols) {
    return update_member_and_rebalance(g, stored, req, std::move(done));
  }
  stored.client_id = req.client_id;
  stored.client_host = req.client_host;
  stored.session_timeout_ms = req.session_timeout_ms;
  stored.rebalance_timeout_ms = req.rebalance_timeout_ms;
  schedule_heartbeat(g, stored);
  bool leader = g.leader == new_id;
  JoinResult answer = current_generation_answer(g, stored, leader && req.supports_skip_assignment);
  answer.skip_assignment = leader && req.supports_skip_assignment;
  int32_t generation = g.generation;
  store_group(g, [this, gid = g.id, generation, answer = std::move(answer), done = std::move(done)](ErrorCode e) mutable {
    ClassicGroup* grp = find(gid);
    if (grp == nullptr || grp->generation != generation) return done(join_error(ErrorCode::rebalance_in_progress));
    if (e != ErrorCode::none) return done(join_error(coordinator_write_error(e), answer.member_id));
    done(std::move(answer));
  });
}

void Coordinator::maybe_prepare_rebalance(ClassicGroup& g) {
  if (g.state == GroupState::stable || g.state == GroupState::completing_rebalance || g.state == GroupState::empty) {
    prepare_rebalance(g);
  }
}

void Coordinator::prepare_rebalance(ClassicGroup& g) {
  if (g.state == GroupState::completing_rebalance) reset_and_propagate_sync_error(g, ErrorCode::rebalance_in_progress);
  bool initial = g.state == GroupState::empty;
  transition(g, GroupState::preparing_rebalance);
  clear_pending_sync(g);
  int32_t max_rebalance_ms = 0;
  for (const auto& [id, m] : g.members) max_rebalance_ms = std::max(max_rebalance_ms, m.rebalance_timeout_ms);
  if (g.join_timer != 0) timers_.cancel(g.join_timer);
  int64_t delay = max_rebalance_ms;
  if (initial) {
    // group.initial.rebalance.delay.ms: let more members of a starting group arrive before the
    // first generation, extended while members keep coming, up to the rebalance timeout.
    g.initial_join = true;
    g.new_member_added = false;
    delay = std::min<int64_t>(config_.initial_rebalance_delay_ms, max_rebalance_ms);
    g.initial_remaining_ms = std::max<int64_t>(max_rebalance_ms - delay, 0);
  }
  g.join_timer = timers_.schedule(delay, [this, gid = g.id] { on_join_timer(gid); });
}

void Coordinator::on_join_timer(const std::string& group_id) {
  ClassicGroup* g = find(group_id);
  if (g == nullptr) return;
  g->join_timer = 0;
  if (g->state != GroupState::preparing_rebalance) return;
  if (g->initial_join && g->new_member_added && g->initial_remaining_ms > 0) {
    g->new_member_added = false;
    int64_t delay = std::min<int64_t>(config_.initial_rebalance_delay_ms, g->initial_remaining_ms);
    g->initial_remaining_ms = std::max<int64_t>(g->initial_remaining_ms - delay, 0);
    g->join_timer = timers_.schedule(delay, [this, gid = g->id] { on_join_timer(gid); });
    return;
  }
  g->initial_join = false;
  complete_join(*g);
}

void Coordinator::try_complete_join(ClassicGroup& g) {
  if (g.state != GroupState::preparing_rebalance || g.initial_join || !g.has_all_members_joined()) return;
  complete_join(g);
}

void Coordinator::complete_join(ClassicGroup& g) {
  if (g.join_timer != 0) timers_.cancel(g.join_timer);
  g.join_timer = 0;
  g.initial_join = false;
  // Members that did not rejoin in time are out (static ones too: they rejoin as new).
  std::vector<std::string> gone;
  for (const auto& [id, m] : g.members)
    if (!m.awaiting_join) gone.push_back(id);
  for (const std::string& id : gone) remove_member(g, id);
  ++g.generation;
  if (g.members.empty()) {
    g.protocol_name.reset();
    transition(g, GroupState::empty);
    store_group(g, [](ErrorCode) {});
    return;
  }
  g.protocol_name = g.select_protocol();
  if (!g.leader || g.members.count(*g.leader) == 0) g.leader = g.members.begin()->first;
  transition(g, GroupState::completing_rebalance);
  schedule_pending_sync(g);
  std::vector<std::pair<JoinCallback, JoinResult>> answers;
  for (auto& [id, m] : g.members) {
    answers.emplace_back(std::move(m.awaiting_join), current_generation_answer(g, m, id == *g.leader));
    m.awaiting_join = nullptr;
    m.is_new = false;
    schedule_heartbeat(g, m);
  }
  for (auto& [cb, r] : answers) cb(std::move(r));
}

JoinResult Coordinator::current_generation_answer(const ClassicGroup& g, const Member& m, bool include_members) const {
  JoinResult r;
  r.generation = g.generation;
  r.protocol_type = g.protocol_type;
  r.protocol_name = g.protocol_name;
  r.leader = g.leader.value_or("");
  r.member_id = m.id;
  if (include_members && g.protocol_name) {
    for (const auto& [id, other] : g.members) {
      const std::vector<uint8_t>* md = other.metadata_for(*g.protocol_name);
      r.members.push_back(JoinMember{id, other.instance_id, md ? *md : std::vector<uint8_t>{}});
    }
  }
  return r;
}

void Coordinator::reset_and_propagate_sync_error(ClassicGroup& g, ErrorCode error) {
  for (auto& [id, m] : g.members) {
    m.assignment.clear();
    if (m.awaiting_sync) {
      SyncCallback cb = std::move(m.awaiting_sync);
      m.awaiting_sync = nullptr;
      cb(sync_error(error));
    }
  }
}

void Coordinator::propagate_assignment(ClassicGroup& g) {
  for (auto& [id, m] : g.members) {
    if (!m.awaiting_sync) continue;
    SyncCallback cb = std::move(m.awaiting_sync);
    m.awaiting_sync = nullptr;
    cb(SyncResult{ErrorCode::none, g.protocol_type, g.protocol_name, m.assignment});
    schedule_heartbeat(g, m);
  }
}

void Coordinator::sync(SyncRequest req, SyncCallback done) {
  if (ErrorCode e = check_partition(req.group_id); e != ErrorCode::none) return done(sync_error(e));
  ClassicGroup* g = find(req.group_id);
  if (g == nullptr) return done(sync_error(ErrorCode::unknown_member_id));
  if (g->state == GroupState::dead) return done(sync_error(ErrorCode::coordinator_not_available));
  if (req.instance_id) {
    auto s = g->static_members.find(*req.instance_id);
    if (s != g->static_members.end() && s->second != req.member_id) return done(sync_error(ErrorCode::fenced_instance_id));
  }
  auto it = g->members.find(req.member_id);
  if (it == g->members.end()) return done(sync_error(ErrorCode::unknown_member_id));
  if (req.generation != g->generation) return done(sync_error(ErrorCode::illegal_generation));
  if ((req.protocol_type && *req.protocol_type != g->protocol_type) ||
      (req.protocol_name && req.protocol_name != g->protocol_name)) {
    return done(sync_error(ErrorCode::inconsistent_group_protocol));
  }
  Member& m = it->second;
  switch (g->state) {
    case GroupState::empty:
    case GroupState::dead:
      return done(sync_error(ErrorCode::unknown_member_id));
    case GroupState::preparing_rebalance:
      return done(sync_error(ErrorCode::rebalance_in_progress));
    case GroupState::stable:
      g->pending_sync.erase(m.id);
      schedule_heartbeat(*g, m);
      return done(SyncResult{ErrorCode::none, g->protocol_type, g->protocol_name, m.assignment});
    case GroupState::completing_rebalance:
      break;
  }
  if (m.awaiting_sync) {
    SyncCallback old = std::move(m.awaiting_sync);
    old(sync_error(ErrorCode::rebalance_in_progress));
  }
  m.awaiting_sync = std::move(done);
  g->pending_sync.erase(m.id);
  schedule_heartbeat(*g, m);
  if (g->leader != req.member_id) return;
  // The leader's assignment: members it left out get an empty one. Applied now, made visible
  // (state Stable, answers) only once the group record is durable.
  for (auto& [id, member] : g->members) member.assignment.clear();
  for (auto& [id, bytes] : req.assignments) {
    auto mit = g->members.find(id);
    if (mit != g->members.end()) mit->second.assignment = std::move(bytes);
  }
  int32_t generation = g->generation;
  store_group(*g, [this, gid = g->id, generation](ErrorCode e) {
    ClassicGroup* grp = find(gid);
    if (grp == nullptr || grp->generation != generation || grp->state != GroupState::completing_rebalance) return;
    if (e != ErrorCode::none) {
      reset_and_propagate_sync_error(*grp, coordinator_write_error(e));
      maybe_prepare_rebalance(*grp);
      return;
    }
    transition(*grp, GroupState::stable);
    propagate_assignment(*grp);
  });
}

}  // namespace runnel::group
