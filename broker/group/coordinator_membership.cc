// Heartbeat, LeaveGroup and member expiry: how members stay in a group and how they leave it.
#include <algorithm>

#include "broker/group/coordinator.h"
#include "broker/group/result_errors.h"
#include "broker/model/assert.h"

namespace runnel::group {

using detail::join_error;
using detail::sync_error;

ErrorCode Coordinator::heartbeat(const std::string& group_id, const std::string& member_id,
                                 const std::optional<std::string>& instance_id, int32_t generation) {
  if (ErrorCode e = check_partition(group_id); e != ErrorCode::none) return e;
  ClassicGroup* g = find(group_id);
  if (g == nullptr) return ErrorCode::unknown_member_id;
  if (g->state == GroupState::dead) return ErrorCode::coordinator_not_available;
  if (g->state == GroupState::empty) return ErrorCode::unknown_member_id;
  if (instance_id) {
    auto s = g->static_members.find(*instance_id);
    if (s != g->static_members.end() && s->second != member_id) return ErrorCode::fenced_instance_id;
  }
  auto it = g->members.find(member_id);
  if (it == g->members.end()) return ErrorCode::unknown_member_id;
  if (generation != g->generation) return ErrorCode::illegal_generation;
  schedule_heartbeat(*g, it->second);
  if (g->state == GroupState::preparing_rebalance) return ErrorCode::rebalance_in_progress;
  return ErrorCode::none;
}

LeaveResult Coordinator::leave(const std::string& group_id, const std::vector<LeaveMember>& members) {
  LeaveResult out;
  if (ErrorCode e = check_partition(group_id); e != ErrorCode::none) {
    out.error = e;
    return out;
  }
  ClassicGroup* g = find(group_id);
  if (g == nullptr) {
    out.error = ErrorCode::unknown_member_id;
    return out;
  }
  if (g->state == GroupState::dead) {
    out.error = ErrorCode::coordinator_not_available;
    return out;
  }
  for (const LeaveMember& lm : members) {
    std::string id = lm.member_id;
    ErrorCode e = ErrorCode::none;
    if (lm.instance_id) {
      auto s = g->static_members.find(*lm.instance_id);
      if (s == g->static_members.end()) {
        e = ErrorCode::unknown_member_id;
      } else if (!id.empty() && s->second != id) {
        e = ErrorCode::fenced_instance_id;
      } else {
        id = s->second;
      }
    }
    if (e == ErrorCode::none && g->pending_members.count(id) != 0) {
      g->pending_members.erase(id);
      if (auto t = g->pending_timers.find(id); t != g->pending_timers.end()) {
        timers_.cancel(t->second);
        g->pending_timers.erase(t);
      }
      try_complete_join(*g);
    } else if (e == ErrorCode::none && g->members.count(id) == 0) {
      e = ErrorCode::unknown_member_id;
    } else if (e == ErrorCode::none) {
      remove_member_and_update(*g, id);
    }
    out.members.push_back(e);
  }
  return out;
}

void Coordinator::remove_member(ClassicGroup& g, const std::string& id) {
  auto it = g.members.find(id);
  if (it == g.members.end()) return;
  if (it->second.heartbeat_timer != 0) timers_.cancel(it->second.heartbeat_timer);
  if (it->second.instance_id) {
    auto s = g.static_members.find(*it->second.instance_id);
    if (s != g.static_members.end() && s->second == id) g.static_members.erase(s);
  }
  g.members.erase(it);
  g.pending_sync.erase(id);
  if (g.leader == id) g.leader = g.members.empty() ? std::nullopt : std::optional<std::string>(g.members.begin()->first);
}

void Coordinator::remove_member_and_update(ClassicGroup& g, const std::string& id) {
  auto it = g.members.find(id);
  if (it == g.members.end()) return;
  JoinCallback join_cb = std::move(it->second.awaiting_join);
  SyncCallback sync_cb = std::move(it->second.awaiting_sync);
  remove_member(g, id);
  if (join_cb) join_cb(join_error(ErrorCode::unknown_member_id, id));
  if (sync_cb) sync_cb(sync_error(ErrorCode::unknown_member_id));
  switch (g.state) {
    case GroupState::stable:
    case GroupState::completing_rebalance:
      maybe_prepare_rebalance(g);
      // With no member left there is nobody to wait for.
      if (g.members.empty()) complete_join(g);
      break;
    case GroupState::preparing_rebalance:
      if (g.members.empty() && !g.pending_members.empty()) break;
      if (g.members.empty()) {
        complete_join(g);
      } else {
        try_complete_join(g);
      }
      break;
    case GroupState::empty:
    case GroupState::dead:
      break;
  }
}

void Coordinator::schedule_heartbeat(ClassicGroup& g, Member& m) {
  if (m.heartbeat_timer != 0) timers_.cancel(m.heartbeat_timer);
  m.heartbeat_timer = timers_.schedule(m.session_timeout_ms, [this, gid = g.id, mid = m.id] { on_heartbeat_expired(gid, mid); });
}

void Coordinator::on_heartbeat_expired(const std::string& group_id, const std::string& member_id) {
  ClassicGroup* g = find(group_id);
  if (g == nullptr) return;
  auto it = g->members.find(member_id);
  if (it == g->members.end()) return;
  Member& m = it->second;
  m.heartbeat_timer = 0;
  // A member with a join or sync outstanding is alive: it is waiting for us.
  bool waiting = (m.awaiting_join && g->state == GroupState::preparing_rebalance) ||
                 (m.awaiting_sync && g->state == GroupState::completing_rebalance);
  if (waiting) {
    schedule_heartbeat(*g, m);
    return;
  }
  remove_member_and_update(*g, member_id);
}

void Coordinator::on_pending_expired(const std::string& group_id, const std::string& member_id) {
  ClassicGroup* g = find(group_id);
  if (g == nullptr) return;
  g->pending_timers.erase(member_id);
  if (g->pending_members.erase(member_id) == 0) return;
  if (g->state == GroupState::preparing_rebalance && g->members.empty() && g->pending_members.empty()) {
    complete_join(*g);
  } else {
    try_complete_join(*g);
  }
  if (g->state == GroupState::empty && g->members.empty() && g->pending_members.empty() && g->offsets.empty() &&
      g->protocol_type.empty()) {
    remove_group(group_id);
  }
}

void Coordinator::schedule_pending_sync(ClassicGroup& g) {
  clear_pending_sync(g);
  int32_t rebalance_timeout_ms = 0;
  for (const auto& [id, m] : g.members) {
    g.pending_sync.insert(id);
    rebalance_timeout_ms = std::max(rebalance_timeout_ms, m.rebalance_timeout_ms);
  }
  g.sync_timer = timers_.schedule(rebalance_timeout_ms, [this, gid = g.id, gen = g.generation] { on_sync_expired(gid, gen); });
}

void Coordinator::clear_pending_sync(ClassicGroup& g) {
  if (g.sync_timer != 0) timers_.cancel(g.sync_timer);
  g.sync_timer = 0;
  g.pending_sync.clear();
}

void Coordinator::on_sync_expired(const std::string& group_id, int32_t generation) {
  ClassicGroup* g = find(group_id);
  if (g == nullptr) return;
  g->sync_timer = 0;
  if (g->generation != generation || g->pending_sync.empty()) return;
  if (g->state != GroupState::completing_rebalance && g->state != GroupState::stable) return;
  // Members that joined but never synced would otherwise keep their (unassigned) place while
  // their heartbeats keep them alive; Kafka drops them and rebalances without them.
  std::vector<std::string> gone(g->pending_sync.begin(), g->pending_sync.end());
  g->pending_sync.clear();
  std::vector<std::pair<std::string, JoinCallback>> joins;
  for (const std::string& id : gone) {
    auto it = g->members.find(id);
    if (it == g->members.end()) continue;
    if (it->second.awaiting_join) joins.emplace_back(id, std::move(it->second.awaiting_join));
    // A member that sent SyncGroup is no longer pending.
    RUNNEL_ASSERT(!it->second.awaiting_sync, "pending-sync member %s awaits a sync answer", id.c_str());
    remove_member(*g, id);
  }
  maybe_prepare_rebalance(*g);
  if (g->members.empty()) complete_join(*g);
  for (auto& [id, cb] : joins) cb(join_error(ErrorCode::unknown_member_id, id));
}

}  // namespace runnel::group
