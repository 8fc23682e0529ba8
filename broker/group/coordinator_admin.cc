// DescribeGroups, ListGroups, DeleteGroups, and loading/unloading __consumer_offsets partitions.
#include "broker/group/coordinator.h"

#include <utility>

namespace runnel::group {

GroupDescription Coordinator::describe(const std::string& group_id) {
  GroupDescription d;
  d.group_id = group_id;
  if (ErrorCode e = check_partition(group_id); e != ErrorCode::none) {
    d.error = e;
    d.state = "";
    return d;
  }
  const ClassicGroup* g = find(group_id);
  // Kafka (DescribeGroups before v6): a consumer-protocol group is not a classic group: Dead.
  if (g == nullptr || consumer_->group(group_id) != nullptr) {
    d.state = state_name(GroupState::dead);
    return d;
  }
  d.state = state_name(g->state);
  d.protocol_type = g->protocol_type;
  bool stable = g->state == GroupState::stable;
  // As Kafka: metadata and assignments are only shown once a generation is stable.
  if (stable && g->protocol_name) d.protocol_data = *g->protocol_name;
  for (const auto& [id, m] : g->members) {
    GroupDescription::MemberDescription md{id, m.instance_id, m.client_id, m.client_host, {}, {}};
    if (stable && g->protocol_name) {
      if (const auto* meta = m.metadata_for(*g->protocol_name)) md.metadata = *meta;
      md.assignment = m.assignment;
    }
    d.members.push_back(std::move(md));
  }
  return d;
}

std::vector<GroupListing> Coordinator::list(int32_t partition) const {
  std::vector<GroupListing> out;
  for (const auto& [id, g] : groups_) {
    if (partition >= 0 && g->offsets_partition != partition) continue;
    if (!is_loaded(g->offsets_partition)) continue;
    if (consumer_->group(id) != nullptr) continue;  // listed below
    out.push_back(GroupListing{id, g->protocol_type, state_name(g->state)});
  }
  for (const auto& [id, g] : consumer_->groups()) {
    if (partition >= 0 && g->offsets_partition != partition) continue;
    if (!is_loaded(g->offsets_partition)) continue;
    out.push_back(GroupListing{id, "consumer", consumer_group_state_name(g->state()), "consumer"});
  }
  return out;
}

void Coordinator::delete_group(const std::string& group_id, std::function<void(ErrorCode)> done) {
  if (ErrorCode e = check_partition(group_id); e != ErrorCode::none) return done(e);
  if (const ConsumerGroup* cg = consumer_->group(group_id)) return delete_consumer_group(*cg, std::move(done));
  ClassicGroup* g = find(group_id);
  if (g == nullptr || g->state == GroupState::dead) return done(ErrorCode::group_id_not_found);
  if (g->state != GroupState::empty || !g->members.empty()) return done(ErrorCode::non_empty_group);
  std::vector<JournalRecord> records;
  for (const auto& [tp, c] : g->offsets) {
    records.push_back({encode_key(OffsetKey{group_id, tp.topic, tp.partition}), std::nullopt});
  }
  records.push_back({encode_key(GroupKey{group_id}), std::nullopt});
  // Dead at once, so that nothing joins a group whose deletion is being written.
  transition(*g, GroupState::dead);
  journal_.append(g->offsets_partition, std::move(records), [this, group_id, done = std::move(done)](ErrorCode e) {
    ClassicGroup* grp = find(group_id);
    if (e != ErrorCode::none) {
      if (grp != nullptr && grp->state == GroupState::dead) transition(*grp, GroupState::empty);
      return done(coordinator_write_error(e));
    }
    remove_group(group_id);
    done(ErrorCode::none);
  });
}

void Coordinator::delete_consumer_group(const ConsumerGroup& cg, std::function<void(ErrorCode)> done) {
  if (!cg.members.empty()) return done(ErrorCode::non_empty_group);
  std::string group_id = cg.id;
  std::vector<JournalRecord> records = consumer_->tombstones(cg);
  if (ClassicGroup* g = find(group_id)) {
    for (const auto& [tp, c] : g->offsets) {
      records.push_back({encode_key(OffsetKey{group_id, tp.topic, tp.partition}), std::nullopt});
    }
  }
  journal_.append(cg.offsets_partition, std::move(records), [this, group_id, done = std::move(done)](ErrorCode e) {
    if (e != ErrorCode::none) return done(coordinator_write_error(e));
    consumer_->forget(group_id);
    remove_group(group_id);
    done(ErrorCode::none);
  });
}

void Coordinator::begin_load(int32_t partition) { partitions_[partition] = Load::loading; }

void Coordinator::replay(int32_t partition, std::string_view key, std::optional<std::string_view> value) {
  if (consumer_->replay(partition, key, value)) return;
  std::optional<RecordKey> k = decode_key(key);
  if (!k) return;
  if (const auto* ok = std::get_if<OffsetKey>(&*k)) {
    if (partition_for(ok->group) != partition) return;
    if (!value) {
      if (ClassicGroup* g = find(ok->group)) g->offsets.erase(TopicPartition{ok->topic, ok->partition});
      return;
    }
    std::optional<OffsetValue> v = decode_offset_value(*value);
    if (!v) return;
    get_or_create(ok->group).offsets[TopicPartition{ok->topic, ok->partition}] =
        CommittedOffset{v->offset, v->leader_epoch, v->metadata, v->commit_timestamp_ms};
    return;
  }
  const GroupKey& gk = std::get<GroupKey>(*k);
  if (partition_for(gk.group) != partition) return;
  ClassicGroup& g = get_or_create(gk.group);
  g.members.clear();
  g.static_members.clear();
  std::optional<GroupValue> v = value ? decode_group_value(*value) : std::nullopt;
  if (!v) {
    // Tombstone (deleted group): offsets written after it, if any, start a new group.
    g.protocol_type.clear();
    g.generation = 0;
    g.protocol_name.reset();
    g.leader.reset();
    g.offsets.clear();
    return;
  }
  g.protocol_type = v->protocol_type;
  g.generation = v->generation;
  g.protocol_name = v->protocol_name;
  g.leader = v->leader;
  g.state_timestamp_ms = v->state_timestamp_ms;
  for (MemberValue& mv : v->members) {
    Member m;
    m.id = mv.member_id;
    m.instance_id = mv.instance_id;
    m.client_id = mv.client_id;
    m.client_host = mv.client_host;
    m.rebalance_timeout_ms = mv.rebalance_timeout_ms;
    m.session_timeout_ms = mv.session_timeout_ms;
    m.protocol_type = v->protocol_type;
    if (v->protocol_name) m.protocols.push_back(Protocol{*v->protocol_name, std::move(mv.subscription)});
    m.assignment = std::move(mv.assignment);
    if (m.instance_id) g.static_members[*m.instance_id] = m.id;
    g.members.emplace(m.id, std::move(m));
  }
}

void Coordinator::finish_load(int32_t partition) {
  std::vector<std::string> drop;
  for (auto& [id, gp] : groups_) {
    ClassicGroup& g = *gp;
    if (g.offsets_partition != partition) continue;
    if (g.members.empty()) {
      if (g.protocol_type.empty() && g.offsets.empty()) {
        drop.push_back(id);
        continue;
      }
      g.state = GroupState::empty;
      continue;
    }
    // Members come back as they were; those that are gone expire after their session timeout.
    g.state = GroupState::stable;
    for (auto& [mid, m] : g.members) schedule_heartbeat(g, m);
  }
  for (const std::string& id : drop) remove_group(id);
  consumer_->finish_load(partition);
  partitions_[partition] = Load::loaded;
}

void Coordinator::unload(int32_t partition) {
  std::vector<std::string> drop;
  for (auto& [id, gp] : groups_) {
    if (gp->offsets_partition != partition) continue;
    drop.push_back(id);
    for (auto& [mid, m] : gp->members) {
      if (m.awaiting_join) {
        JoinResult r;
        r.error = ErrorCode::not_coordinator;
        std::exchange(m.awaiting_join, nullptr)(std::move(r));
      }
      if (m.awaiting_sync) {
        SyncResult r;
        r.error = ErrorCode::not_coordinator;
        std::exchange(m.awaiting_sync, nullptr)(std::move(r));
      }
    }
  }
  for (const std::string& id : drop) remove_group(id);
  consumer_->unload(partition);
  partitions_.erase(partition);
}

}  // namespace runnel::group
