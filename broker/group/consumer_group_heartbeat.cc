// ConsumerGroupHeartbeat (KIP-848): join, heartbeat, subscription changes, leave. See
// consumer_group_coordinator.h for the steps and consumer_group_reconcile.h for reconciliation.
#include <algorithm>
#include <regex>

#include "broker/group/consumer_group_coordinator.h"
#include "broker/group/consumer_group_reconcile.h"
#include "broker/group/consumer_group_records.h"
#include "broker/group/coordinator.h"
#include "broker/group/topic_regex.h"

namespace runnel::group {

struct ConsumerGroupCoordinator::Step {
  ConsumerHeartbeatRequest& req;
  ConsumerGroup* g = nullptr;
  std::string member_id;
  bool new_member = false;
  std::optional<std::string> message;  // error message
  Assignment before;                    // the member's assignment when the heartbeat arrived
  std::vector<JournalRecord> records;
};

namespace {

ConsumerHeartbeatResult failure(ErrorCode e, std::optional<std::string> message = std::nullopt) {
  ConsumerHeartbeatResult r;
  r.error = e;
  r.error_message = std::move(message);
  return r;
}

// Kafka's throwIfConsumerGroupHeartbeatRequestIsInvalid: INVALID_REQUEST with these messages.
std::optional<std::string> invalid_reason(const ConsumerHeartbeatRequest& r) {
  if (r.group_id.empty()) return "GroupId can't be empty.";
  if (r.instance_id && r.instance_id->empty()) return "InstanceId can't be empty.";
  if (r.rack_id && r.rack_id->empty()) return "RackId can't be empty.";
  // v0: the coordinator names a joining member; v1+ (KIP-1082): the member names itself.
  if ((r.version >= 1 || r.member_epoch != 0) && r.member_id.empty()) return "MemberId can't be empty.";
  if (r.member_epoch == 0) {
    if (r.rebalance_timeout_ms == -1) return "RebalanceTimeoutMs must be provided in first request.";
    if (!r.owned || !r.owned->empty()) return "TopicPartitions must be empty when (re-)joining.";
    if (!r.subscribed_topic_names && !r.subscribed_topic_regex) {
      return "SubscribedTopicNames or SubscribedTopicRegex must be set in first request.";
    }
  } else if (r.member_epoch == kLeaveGroupStaticMemberEpoch) {
    if (!r.instance_id) return "InstanceId can't be null.";
  } else if (r.member_epoch < kLeaveGroupStaticMemberEpoch) {
    return "MemberEpoch is invalid.";
  }
  if (r.subscribed_topic_regex && !r.subscribed_topic_regex->empty()) {
    if (!compile_topic_regex(*r.subscribed_topic_regex)) {
      return "SubscribedTopicRegex `" + *r.subscribed_topic_regex + "` is not a valid regular expression.";
    }
  }
  return std::nullopt;
}

std::vector<std::string> sorted_unique(std::vector<std::string> v) {
  std::sort(v.begin(), v.end());
  v.erase(std::unique(v.begin(), v.end()), v.end());
  return v;
}

bool same_assignment_state(const ConsumerMember& a, const ConsumerMember& b) {
  return a.member_epoch == b.member_epoch && a.previous_member_epoch == b.previous_member_epoch &&
         a.state == b.state && a.assigned == b.assigned && a.pending_revocation == b.pending_revocation;
}

}  // namespace

void ConsumerGroupCoordinator::heartbeat(ConsumerHeartbeatRequest req, const TopicCatalog& topics,
                                         ConsumerHeartbeatCallback done) {
  if (auto reason = invalid_reason(req)) return done(failure(ErrorCode::invalid_request, reason));
  if (ErrorCode e = owner_.check_partition(req.group_id); e != ErrorCode::none) return done(failure(e));
  if (req.server_assignor && !assignor_enabled(*req.server_assignor)) {
    return done(failure(ErrorCode::unsupported_assignor, "ServerAssignor " + *req.server_assignor + " is not supported."));
  }
  if (req.member_epoch < 0) return leave(req, done);

  Step s{req};
  s.g = find(req.group_id);
  if (s.g == nullptr) {
    // An empty classic group (offsets only) becomes a consumer group; one in use does not.
    const ClassicGroup* classic = owner_.group(req.group_id);
    if (classic != nullptr && (!classic->members.empty() || classic->state != GroupState::empty)) {
      return done(failure(ErrorCode::group_id_not_found, "Group " + req.group_id + " is not a consumer group."));
    }
    // As Kafka: only a join (epoch 0) creates a group.
    if (req.member_epoch != 0) {
      return done(failure(ErrorCode::group_id_not_found, "Consumer group " + req.group_id + " not found."));
    }
    s.g = &create(req.group_id);
  }
  if (ErrorCode e = join_or_find_member(s); e != ErrorCode::none) {
    if (s.g->members.empty() && s.g->group_epoch == 0) forget(s.g->id);
    return done(failure(e, s.message));
  }
  ConsumerGroup& g = *s.g;
  update_member(s, topics);
  if (g.group_epoch > g.assignment_epoch) compute_target(g, s.records);
  reconcile_member(s);

  ConsumerMember& m = *g.member(s.member_id);
  schedule_session(g, m);
  update_rebalance_timer(g, m);

  ConsumerHeartbeatResult r;
  r.member_id = m.id;
  r.member_epoch = m.member_epoch;
  r.heartbeat_interval_ms = config_.heartbeat_interval_ms;
  bool full = req.rebalance_timeout_ms != -1 && (req.subscribed_topic_names || req.subscribed_topic_regex) && req.owned;
  if (req.member_epoch == 0 || full || m.assigned != s.before) r.assignment = m.assigned;
  write(g, std::move(s.records), [r = std::move(r), done = std::move(done)](ErrorCode e) mutable {
    if (e != ErrorCode::none) return done(failure(e));
    done(std::move(r));
  });
}

ErrorCode ConsumerGroupCoordinator::join_or_find_member(Step& s) {
  ConsumerGroup& g = *s.g;
  const ConsumerHeartbeatRequest& req = s.req;
  s.member_id = req.member_id;
  if (req.member_epoch != 0) {
    ConsumerMember* m = g.member(req.member_id);
    if (m == nullptr || m->member_epoch == kLeaveGroupStaticMemberEpoch) {
      s.message = "Member " + req.member_id + " is not a member of group " + g.id + ".";
      return ErrorCode::unknown_member_id;
    }
    if (req.instance_id && m->instance_id != req.instance_id) return ErrorCode::fenced_instance_id;
    if (req.member_epoch > m->member_epoch) {
      s.message = "The consumer group member has a greater member epoch (" + std::to_string(req.member_epoch) +
                  ") than the one known by the group coordinator (" + std::to_string(m->member_epoch) +
                  "). The member must abandon all its partitions and rejoin.";
      return ErrorCode::fenced_member_epoch;
    }
    if (req.member_epoch < m->member_epoch) {
      // The previous epoch is accepted while the member owns no more than it is assigned: the
      // answer that moved it to the current epoch may have been lost.
      if (req.member_epoch != m->previous_member_epoch || !req.owned || !is_subset(*req.owned, m->assigned)) {
        s.message = "The consumer group member has a smaller member epoch (" + std::to_string(req.member_epoch) +
                    ") than the one known by the group coordinator (" + std::to_string(m->member_epoch) +
                  "). The member must abandon all its partitions and rejoin.";
        return ErrorCode::fenced_member_epoch;
      }
    }
    s.before = m->assigned;
    return ErrorCode::none;
  }

  if (s.member_id.empty()) s.member_id = Uuid::random().to_base64();  // v0: the coordinator names it
  if (req.instance_id) {
    auto st = g.static_members.find(*req.instance_id);
    if (st != g.static_members.end() && st->second != s.member_id) {
      ConsumerMember& old = g.members.at(st->second);
      if (old.member_epoch != kLeaveGroupStaticMemberEpoch) {
        s.message = "Static member " + st->second + " with instance id " + *req.instance_id +
                    " is not released yet; it must leave the group first.";
        return ErrorCode::unreleased_instance_id;
      }
      // The new incarnation takes over the old one's partitions and target (KIP-345).
      ConsumerMember next = old;
      next.id = s.member_id;
      next.session_timer = 0;
      next.rebalance_timer = 0;
      next.member_epoch = 0;
      Assignment target = g.target[old.id];
      cancel_timers(old);
      g.remove_ownership(old);
      for (ConsumerRecordType t : {ConsumerRecordType::current_assignment, ConsumerRecordType::target_member,
                                   ConsumerRecordType::member_metadata}) {
        s.records.push_back({encode_consumer_key({t, g.id, old.id}), std::nullopt});
      }
      g.target.erase(old.id);
      g.members.erase(old.id);
      g.members[next.id] = next;
      g.add_ownership(next);
      g.target[next.id] = target;
      g.static_members[*req.instance_id] = next.id;
      s.records.push_back({encode_consumer_key({ConsumerRecordType::target_member, g.id, next.id}),
                           encode_target_member(target)});
      s.records.push_back({encode_consumer_key({ConsumerRecordType::member_metadata, g.id, next.id}),
                           encode_member_metadata(next)});
      return ErrorCode::none;
    }
  }
  if (ConsumerMember* m = g.member(s.member_id)) {
    // A known member joining again (epoch 0) has given up everything it had.
    s.before = m->assigned;
    g.remove_ownership(*m);
    m->assigned.clear();
    m->pending_revocation.clear();
    m->state = MemberState::stable;
    m->member_epoch = 0;
    m->previous_member_epoch = 0;
    return ErrorCode::none;
  }
  if (g.members.size() >= static_cast<size_t>(std::max(config_.max_size, 0))) {
    s.message = "The consumer group has reached its maximum capacity of " + std::to_string(config_.max_size) + " members.";
    return ErrorCode::group_max_size_reached;
  }
  ConsumerMember& m = g.members[s.member_id];
  m.id = s.member_id;
  m.instance_id = req.instance_id;
  if (req.instance_id) g.static_members[*req.instance_id] = m.id;
  s.new_member = true;
  return ErrorCode::none;
}

void ConsumerGroupCoordinator::update_member(Step& s, const TopicCatalog& topics) {
  ConsumerGroup& g = *s.g;
  const ConsumerHeartbeatRequest& req = s.req;
  ConsumerMember& m = g.members.at(s.member_id);
  bool bump = s.new_member;
  bool dirty = s.new_member;
  if (req.rack_id && req.rack_id != m.rack_id) {
    m.rack_id = req.rack_id;
    dirty = bump = true;
  }
  if (req.subscribed_topic_names) {
    std::vector<std::string> names = sorted_unique(*req.subscribed_topic_names);
    if (names != m.subscribed_topic_names) {
      m.subscribed_topic_names = std::move(names);
      dirty = bump = true;
    }
  }
  if (req.subscribed_topic_regex) {
    std::optional<std::string> regex;
    if (!req.subscribed_topic_regex->empty()) regex = req.subscribed_topic_regex;
    if (regex != m.subscribed_topic_regex) {
      m.subscribed_topic_regex = std::move(regex);
      dirty = bump = true;
    }
  }
  if (req.server_assignor && req.server_assignor != m.server_assignor) {
    m.server_assignor = req.server_assignor;
    dirty = bump = true;
  }
  if (req.rebalance_timeout_ms != -1 && req.rebalance_timeout_ms != m.rebalance_timeout_ms) {
    m.rebalance_timeout_ms = req.rebalance_timeout_ms;
    dirty = true;
  }
  if (req.client_id != m.client_id || req.client_host != m.client_host) {
    m.client_id = req.client_id;
    m.client_host = req.client_host;
    dirty = true;
  }
  resolve_regexes(g, topics);
  SubscribedMetadata meta = g.compute_subscribed_metadata(topics);
  if (meta != g.subscribed_metadata) {
    g.subscribed_metadata = std::move(meta);
    bump = true;
  }
  if (dirty) {
    s.records.push_back({encode_consumer_key({ConsumerRecordType::member_metadata, g.id, m.id}),
                         encode_member_metadata(m)});
  }
  if (bump) bump_epoch(g, s.records);
}

void ConsumerGroupCoordinator::resolve_regexes(ConsumerGroup& g, const TopicCatalog& topics) {
  std::set<std::string> in_use;
  for (const auto& [id, m] : g.members)
    if (m.subscribed_topic_regex) in_use.insert(*m.subscribed_topic_regex);
  bool stale = g.resolved_version != topics.version;
  for (const std::string& r : in_use) stale = stale || g.resolved_regexes.count(r) == 0;
  if (!stale && g.resolved_regexes.size() == in_use.size()) return;
  g.resolved_regexes.clear();
  for (const std::string& r : in_use) {
    std::vector<std::string>& out = g.resolved_regexes[r];
    // Validated on the way in; a stored one that no longer compiles matches nothing.
    std::optional<std::regex> re = compile_topic_regex(r);
    if (!re) continue;
    for (const auto& [name, t] : topics.all())
      if (std::regex_match(name, *re)) out.push_back(name);
  }
  g.resolved_version = topics.version;
}

void ConsumerGroupCoordinator::compute_target(ConsumerGroup& g, std::vector<JournalRecord>& records) {
  std::string name = g.preferred_assignor(config_.assignors.front());
  if (!assignor_enabled(name)) name = config_.assignors.front();
  const Assignor* assignor = find_assignor(name);
  if (assignor == nullptr) assignor = find_assignor("uniform");
  AssignorInput in;
  for (const auto& [topic, t] : g.subscribed_metadata) in.topics[t.id] = t.partitions;
  for (const auto& [id, m] : g.members) {
    AssignorMember am{id, m.instance_id, m.rack_id, {}, {}};
    for (const std::string& topic : g.member_topics(m)) {
      auto t = g.subscribed_metadata.find(topic);
      if (t != g.subscribed_metadata.end()) am.topics.insert(t->second.id);
    }
    auto prev = g.target.find(id);
    if (prev != g.target.end()) am.previous = prev->second;
    in.members.push_back(std::move(am));
  }
  AssignorOutput out = assignor->assign(in);
  for (const auto& [id, m] : g.members) {
    Assignment& t = g.target[id];
    Assignment& next = out[id];
    if (next == t) continue;
    t = std::move(next);
    records.push_back({encode_consumer_key({ConsumerRecordType::target_member, g.id, id}), encode_target_member(t)});
  }
  g.assignment_epoch = g.group_epoch;
  records.push_back({encode_consumer_key({ConsumerRecordType::target_metadata, g.id, {}}),
                     encode_target_metadata(g.assignment_epoch)});
}

void ConsumerGroupCoordinator::reconcile_member(Step& s) {
  ConsumerGroup& g = *s.g;
  ConsumerMember& m = g.members.at(s.member_id);
  const Assignment& target = g.target[m.id];
  ConsumerMember next = reconcile(m, g.assignment_epoch, target, s.req.owned, [&g, &m](const Uuid& t, int32_t p) {
    const std::string* o = g.owner(t, p);
    return o != nullptr && *o != m.id;
  });
  // A member that joined gets its epoch even with nothing to reconcile.
  if (same_assignment_state(next, m) && !(s.req.member_epoch == 0 && m.member_epoch == 0)) return;
  if (next.member_epoch == 0 && next.state == MemberState::stable) next.member_epoch = g.assignment_epoch;
  g.remove_ownership(m);
  m.member_epoch = next.member_epoch;
  m.previous_member_epoch = next.previous_member_epoch;
  m.state = next.state;
  m.assigned = std::move(next.assigned);
  m.pending_revocation = std::move(next.pending_revocation);
  g.add_ownership(m);
  s.records.push_back({encode_consumer_key({ConsumerRecordType::current_assignment, g.id, m.id}),
                       encode_current_assignment(m)});
}

void ConsumerGroupCoordinator::leave(ConsumerHeartbeatRequest& req, ConsumerHeartbeatCallback& done) {
  ConsumerGroup* g = find(req.group_id);
  ConsumerMember* m = g != nullptr ? g->member(req.member_id) : nullptr;
  if (m == nullptr) {
    return done(failure(ErrorCode::unknown_member_id,
                        "Member " + req.member_id + " is not a member of group " + req.group_id + "."));
  }
  if (req.instance_id && m->instance_id != req.instance_id) return done(failure(ErrorCode::fenced_instance_id));
  std::vector<JournalRecord> records;
  ConsumerHeartbeatResult r;
  r.member_id = req.member_id;
  r.member_epoch = req.member_epoch;
  if (req.member_epoch == kLeaveGroupStaticMemberEpoch) {
    // A static member pausing (e.g. a restart): it keeps its partitions, nobody else gets them,
    // and the same instance id may take them over until the session timeout removes it.
    if (m->member_epoch != kLeaveGroupStaticMemberEpoch) {
      m->previous_member_epoch = m->member_epoch;
      m->member_epoch = kLeaveGroupStaticMemberEpoch;
    }
    if (m->rebalance_timer != 0) timers_.cancel(m->rebalance_timer);
    m->rebalance_timer = 0;
    schedule_session(*g, *m);
    records.push_back({encode_consumer_key({ConsumerRecordType::current_assignment, g->id, m->id}),
                       encode_current_assignment(*m)});
  } else {
    remove_member(*g, req.member_id, records);
  }
  write(*g, std::move(records), [r = std::move(r), done = std::move(done)](ErrorCode e) mutable {
    if (e != ErrorCode::none) return done(failure(e));
    done(std::move(r));
  });
}

}  // namespace runnel::group
