// ConsumerGroupCoordinator: groups, describe, offset validation, member removal and timers,
// loading. The heartbeat itself is in consumer_group_heartbeat.cc.
#include "broker/group/consumer_group_coordinator.h"

#include <algorithm>

#include "broker/group/consumer_group_records.h"
#include "broker/group/coordinator.h"

namespace runnel::group {

ConsumerGroupCoordinator::ConsumerGroupCoordinator(Coordinator& owner, ConsumerGroupConfig config, Timers& timers,
                                                   Journal& journal)
    : owner_(owner), config_(std::move(config)), timers_(timers), journal_(journal) {
  if (config_.assignors.empty()) config_.assignors.push_back("uniform");
}

ConsumerGroupCoordinator::~ConsumerGroupCoordinator() {
  for (auto& [id, g] : groups_)
    for (auto& [mid, m] : g->members) cancel_timers(m);
}

ConsumerGroup* ConsumerGroupCoordinator::find(const std::string& id) {
  auto it = groups_.find(id);
  return it == groups_.end() ? nullptr : it->second.get();
}

const ConsumerGroup* ConsumerGroupCoordinator::group(const std::string& id) const {
  auto it = groups_.find(id);
  return it == groups_.end() ? nullptr : it->second.get();
}

ConsumerGroup& ConsumerGroupCoordinator::create(const std::string& id) {
  auto& slot = groups_[id];
  if (!slot) {
    slot = std::make_unique<ConsumerGroup>();
    slot->id = id;
    slot->offsets_partition = owner_.partition_for(id);
  }
  return *slot;
}

bool ConsumerGroupCoordinator::assignor_enabled(const std::string& name) const {
  return std::find(config_.assignors.begin(), config_.assignors.end(), name) != config_.assignors.end() &&
         find_assignor(name) != nullptr;
}

ConsumerGroupDescription ConsumerGroupCoordinator::describe(const std::string& group_id) const {
  ConsumerGroupDescription d;
  d.group_id = group_id;
  if (ErrorCode e = owner_.check_partition(group_id); e != ErrorCode::none) {
    d.error = e;
    return d;
  }
  const ConsumerGroup* g = group(group_id);
  if (g == nullptr) {
    d.error = ErrorCode::group_id_not_found;
    const ClassicGroup* c = owner_.group(group_id);
    d.error_message = c != nullptr && !c->protocol_type.empty() ? "Group " + group_id + " is not a consumer group."
                                                                : "Group " + group_id + " not found.";
    d.state = consumer_group_state_name(ConsumerGroupState::dead);
    return d;
  }
  d.state = consumer_group_state_name(g->state());
  d.group_epoch = g->group_epoch;
  d.assignment_epoch = g->assignment_epoch;
  d.assignor = g->preferred_assignor(config_.assignors.front());
  for (const auto& [id, m] : g->members) {
    ConsumerGroupDescription::MemberDescription md{m, m.subscribed_topic_names, {}};
    auto t = g->target.find(id);
    if (t != g->target.end()) md.target = t->second;
    d.members.push_back(std::move(md));
  }
  return d;
}

ErrorCode ConsumerGroupCoordinator::validate_offset_commit(const ConsumerGroup& g, const std::string& member_id,
                                                           int32_t member_epoch) const {
  // Epoch < 0: an admin client or a consumer without group management, allowed while the
  // group has no members.
  if (member_epoch < 0 && g.members.empty()) return ErrorCode::none;
  auto it = g.members.find(member_id);
  if (it == g.members.end()) return ErrorCode::unknown_member_id;
  if (member_epoch != it->second.member_epoch) return ErrorCode::stale_member_epoch;
  return ErrorCode::none;
}

ErrorCode ConsumerGroupCoordinator::validate_offset_fetch(const ConsumerGroup& g, const std::string& member_id,
                                                          int32_t member_epoch) const {
  if (member_epoch < 0) return ErrorCode::none;  // an admin client, or a fetch outside a membership
  auto it = g.members.find(member_id);
  if (it == g.members.end()) return ErrorCode::unknown_member_id;
  if (member_epoch != it->second.member_epoch) return ErrorCode::stale_member_epoch;
  return ErrorCode::none;
}

void ConsumerGroupCoordinator::bump_epoch(ConsumerGroup& g, std::vector<JournalRecord>& records) {
  ++g.group_epoch;
  records.push_back({encode_consumer_key({ConsumerRecordType::group_metadata, g.id, {}}),
                     encode_group_metadata(GroupMetadataValue{g.group_epoch, g.subscribed_metadata})});
}

void ConsumerGroupCoordinator::remove_member(ConsumerGroup& g, const std::string& member_id,
                                             std::vector<JournalRecord>& records) {
  auto it = g.members.find(member_id);
  if (it == g.members.end()) return;
  ConsumerMember& m = it->second;
  cancel_timers(m);
  g.remove_ownership(m);
  if (m.instance_id) g.static_members.erase(*m.instance_id);
  for (ConsumerRecordType t : {ConsumerRecordType::current_assignment, ConsumerRecordType::target_member,
                               ConsumerRecordType::member_metadata}) {
    records.push_back({encode_consumer_key({t, g.id, member_id}), std::nullopt});
  }
  g.members.erase(it);
  g.target.erase(member_id);
  // Topics only the leaving member subscribed to drop out of the subscribed metadata now; the
  // next heartbeat brings the catalog and fixes anything else.
  SubscribedMetadata kept;
  for (const auto& [id, other] : g.members)
    for (const std::string& name : g.member_topics(other)) {
      auto t = g.subscribed_metadata.find(name);
      if (t != g.subscribed_metadata.end()) kept.insert(*t);
    }
  g.subscribed_metadata = std::move(kept);
  bump_epoch(g, records);
}

void ConsumerGroupCoordinator::cancel_timers(ConsumerMember& m) {
  if (m.session_timer != 0) timers_.cancel(m.session_timer);
  if (m.rebalance_timer != 0) timers_.cancel(m.rebalance_timer);
  m.session_timer = 0;
  m.rebalance_timer = 0;
}

void ConsumerGroupCoordinator::schedule_session(ConsumerGroup& g, ConsumerMember& m) {
  if (m.session_timer != 0) timers_.cancel(m.session_timer);
  m.session_timer = timers_.schedule(config_.session_timeout_ms, [this, gid = g.id, mid = m.id] {
    on_member_expired(gid, mid, false);
  });
}

void ConsumerGroupCoordinator::update_rebalance_timer(ConsumerGroup& g, ConsumerMember& m) {
  if (m.state != MemberState::unrevoked_partitions) {
    if (m.rebalance_timer != 0) timers_.cancel(m.rebalance_timer);
    m.rebalance_timer = 0;
    return;
  }
  if (m.rebalance_timer != 0) return;  // the revocation deadline runs from when it was asked
  m.rebalance_timer = timers_.schedule(m.rebalance_timeout_ms, [this, gid = g.id, mid = m.id] {
    on_member_expired(gid, mid, true);
  });
}

void ConsumerGroupCoordinator::on_member_expired(const std::string& group_id, const std::string& member_id,
                                                 bool fenced) {
  ConsumerGroup* g = find(group_id);
  if (g == nullptr) return;
  ConsumerMember* m = g->member(member_id);
  if (m == nullptr) return;
  if (fenced) {
    m->rebalance_timer = 0;
    if (m->state != MemberState::unrevoked_partitions) return;
  } else {
    m->session_timer = 0;
  }
  std::vector<JournalRecord> records;
  remove_member(*g, member_id, records);
  write(*g, std::move(records), [](ErrorCode) {});
}

void ConsumerGroupCoordinator::write(const ConsumerGroup& g, std::vector<JournalRecord> records,
                                     std::function<void(ErrorCode)> done) {
  if (records.empty()) return done(ErrorCode::none);
  journal_.append(g.offsets_partition, std::move(records),
                  [done = std::move(done)](ErrorCode e) { done(coordinator_write_error(e)); });
}

std::vector<JournalRecord> ConsumerGroupCoordinator::tombstones(const ConsumerGroup& g) const {
  std::vector<JournalRecord> out;
  for (const auto& [id, m] : g.members) {
    for (ConsumerRecordType t : {ConsumerRecordType::current_assignment, ConsumerRecordType::target_member,
                                 ConsumerRecordType::member_metadata}) {
      out.push_back({encode_consumer_key({t, g.id, id}), std::nullopt});
    }
  }
  out.push_back({encode_consumer_key({ConsumerRecordType::target_metadata, g.id, {}}), std::nullopt});
  out.push_back({encode_consumer_key({ConsumerRecordType::group_metadata, g.id, {}}), std::nullopt});
  return out;
}

void ConsumerGroupCoordinator::forget(const std::string& group_id) {
  auto it = groups_.find(group_id);
  if (it == groups_.end()) return;
  for (auto& [mid, m] : it->second->members) cancel_timers(m);
  groups_.erase(it);
}

bool ConsumerGroupCoordinator::replay(int32_t partition, std::string_view key, std::optional<std::string_view> value) {
  std::optional<ConsumerRecordKey> k = decode_consumer_key(key);
  if (!k) return false;
  if (owner_.partition_for(k->group) != partition) return true;
  if (k->type == ConsumerRecordType::group_metadata && !value) {
    forget(k->group);
    return true;
  }
  ConsumerGroup& g = create(k->group);
  switch (k->type) {
    case ConsumerRecordType::group_metadata:
      if (auto v = decode_group_metadata(*value)) {
        g.group_epoch = v->epoch;
        g.subscribed_metadata = std::move(v->subscribed);
      }
      break;
    case ConsumerRecordType::target_metadata:
      if (value) {
        if (auto e = decode_target_metadata(*value)) g.assignment_epoch = *e;
      }
      break;
    case ConsumerRecordType::member_metadata:
      if (!value) {
        g.members.erase(k->member);
      } else {
        ConsumerMember& m = g.members[k->member];
        m.id = k->member;
        if (!decode_member_metadata(*value, m)) g.members.erase(k->member);
      }
      break;
    case ConsumerRecordType::target_member:
      if (!value) {
        g.target.erase(k->member);
      } else if (auto a = decode_target_member(*value)) {
        g.target[k->member] = std::move(*a);
      }
      break;
    case ConsumerRecordType::current_assignment:
      // Compaction may keep this record and drop an older member metadata record of the same
      // member (a newer one follows), so this may come first. The member's tombstones are
      // always written together, so the member metadata tombstone alone removes it.
      if (value) {
        ConsumerMember& m = g.members[k->member];
        m.id = k->member;
        decode_current_assignment(*value, m);
      }
      break;
  }
  return true;
}

void ConsumerGroupCoordinator::finish_load(int32_t partition) {
  for (auto& [id, gp] : groups_) {
    ConsumerGroup& g = *gp;
    if (g.offsets_partition != partition) continue;
    g.owners.clear();
    g.static_members.clear();
    for (auto it = g.target.begin(); it != g.target.end();) {
      it = g.members.count(it->first) != 0 ? std::next(it) : g.target.erase(it);
    }
    for (auto& [mid, m] : g.members) {
      if (m.instance_id) g.static_members[*m.instance_id] = mid;
      // Each heartbeat's records are one batch, but a failed batch followed by a successful one
      // can leave two members' records claiming a partition; the first claim wins on load
      // rather than breaking the ownership invariant (the loser reconciles it away).
      for (Assignment* a : {&m.assigned, &m.pending_revocation}) {
        for (auto t = a->begin(); t != a->end();) {
          const Uuid topic = t->first;
          std::erase_if(t->second, [&g, &topic](int32_t p) { return g.owner(topic, p) != nullptr; });
          t = t->second.empty() ? a->erase(t) : std::next(t);
        }
      }
      g.add_ownership(m);
      // Members come back as they were; those that are gone expire after the session timeout.
      schedule_session(g, m);
      update_rebalance_timer(g, m);
    }
  }
}

void ConsumerGroupCoordinator::unload(int32_t partition) {
  std::vector<std::string> drop;
  for (auto& [id, g] : groups_)
    if (g->offsets_partition == partition) drop.push_back(id);
  for (const std::string& id : drop) forget(id);
}

}  // namespace runnel::group
