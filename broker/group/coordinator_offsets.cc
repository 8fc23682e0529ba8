// OffsetCommit, OffsetFetch, OffsetDelete and offset expiration (offsets.retention.minutes).
#include "broker/group/coordinator.h"

namespace runnel::group {

void Coordinator::commit_offsets(OffsetCommitRequest req, CommitCallback done) {
  size_t n = req.partitions.size();
  auto all = [n](ErrorCode e) { return std::vector<ErrorCode>(n, e); };
  if (ErrorCode e = check_partition(req.group_id); e != ErrorCode::none) return done(all(e));
  ClassicGroup* g = find(req.group_id);
  if (const ConsumerGroup* cg = consumer_->group(req.group_id)) {
    // KIP-848 member: generationIdOrMemberEpoch is the member epoch.
    ErrorCode e = consumer_->validate_offset_commit(*cg, req.member_id, req.generation);
    if (e != ErrorCode::none) return done(all(e));
    if (g == nullptr) g = &get_or_create(req.group_id);  // holds the consumer group's offsets
  } else if (g == nullptr) {
    // A generation < 0 is a commit from outside any membership (an admin tool, or a consumer
    // with manual assignment): Kafka creates an empty group to hold the offsets.
    // Otherwise Kafka answers GROUP_ID_NOT_FOUND from OffsetCommit v9 on, and
    // ILLEGAL_GENERATION to older versions (what their clients expect).
    if (req.generation >= 0) {
      return done(all(req.api_version >= 9 ? ErrorCode::group_id_not_found : ErrorCode::illegal_generation));
    }
    g = &get_or_create(req.group_id);
  } else if (g->state == GroupState::dead) {
    return done(all(ErrorCode::coordinator_not_available));
  } else if (!(req.generation < 0 && g->state == GroupState::empty)) {
    if (req.instance_id) {
      auto s = g->static_members.find(*req.instance_id);
      if (s != g->static_members.end() && s->second != req.member_id) return done(all(ErrorCode::fenced_instance_id));
    }
    auto it = g->members.find(req.member_id);
    if (it == g->members.end()) return done(all(ErrorCode::unknown_member_id));
    if (req.generation != g->generation) return done(all(ErrorCode::illegal_generation));
    if (g->state == GroupState::completing_rebalance) return done(all(ErrorCode::rebalance_in_progress));
  }
  std::vector<ErrorCode> errors(n, ErrorCode::none);
  std::vector<JournalRecord> records;
  std::vector<std::pair<size_t, CommittedOffset>> applied;
  int64_t now = timers_.now_ms();
  for (size_t i = 0; i < n; ++i) {
    const OffsetCommitPartition& p = req.partitions[i];
    if (p.metadata && p.metadata->size() > static_cast<size_t>(config_.offset_metadata_max_bytes)) {
      errors[i] = ErrorCode::offset_metadata_too_large;
      continue;
    }
    CommittedOffset c{p.offset, p.leader_epoch, p.metadata, now};
    records.push_back({encode_key(OffsetKey{req.group_id, p.tp.topic, p.tp.partition}),
                       encode_value(OffsetValue{c.offset, c.leader_epoch, c.metadata, c.commit_timestamp_ms})});
    applied.emplace_back(i, std::move(c));
  }
  if (records.empty()) return done(std::move(errors));
  append_records(g->offsets_partition, std::move(records),
                 [this, gid = req.group_id, tps = std::move(req.partitions), applied = std::move(applied),
                  errors = std::move(errors), done = std::move(done)](ErrorCode e) mutable {
                   ClassicGroup* grp = find(gid);
                   for (auto& [i, c] : applied) {
                     if (e != ErrorCode::none) {
                       errors[i] = coordinator_write_error(e);
                     } else if (grp != nullptr) {
                       grp->offsets[tps[i].tp] = std::move(c);
                     }
                   }
                   done(std::move(errors));
                 });
}

OffsetFetchResult Coordinator::fetch_offsets(const std::string& group_id,
                                             const std::optional<std::vector<TopicPartition>>& partitions,
                                             const std::optional<FetchingMember>& member) {
  OffsetFetchResult out;
  if (ErrorCode e = check_partition(group_id); e != ErrorCode::none) {
    out.error = e;
    return out;
  }
  if (const ConsumerGroup* cg = consumer_->group(group_id); cg != nullptr && member) {
    if (ErrorCode e = consumer_->validate_offset_fetch(*cg, member->member_id, member->member_epoch);
        e != ErrorCode::none) {
      out.error = e;
      return out;
    }
  }
  const ClassicGroup* g = find(group_id);
  if (partitions) {
    for (const TopicPartition& tp : *partitions) {
      FetchedOffset f{tp, CommittedOffset{}};
      if (g != nullptr) {
        auto it = g->offsets.find(tp);
        if (it != g->offsets.end()) f.offset = it->second;
      }
      out.offsets.push_back(std::move(f));
    }
  } else if (g != nullptr) {
    for (const auto& [tp, c] : g->offsets) out.offsets.push_back(FetchedOffset{tp, c});
  }
  return out;
}

void Coordinator::delete_offsets(const std::string& group_id, std::vector<TopicPartition> partitions,
                                 std::function<void(ErrorCode, std::vector<ErrorCode>)> done) {
  if (ErrorCode e = check_partition(group_id); e != ErrorCode::none) return done(e, {});
  ClassicGroup* g = find(group_id);
  if (g == nullptr || g->state == GroupState::dead) return done(ErrorCode::group_id_not_found, {});
  std::unordered_set<std::string> subscribed;
  if (g->state != GroupState::empty) {
    // Offsets of a live group may only go for topics it does not consume.
    if (g->protocol_type != "consumer") return done(ErrorCode::non_empty_group, {});
    subscribed = g->subscribed_topics();
  }
  std::vector<ErrorCode> errors(partitions.size(), ErrorCode::none);
  std::vector<JournalRecord> records;
  std::vector<TopicPartition> removed;
  for (size_t i = 0; i < partitions.size(); ++i) {
    const TopicPartition& tp = partitions[i];
    if (subscribed.count(tp.topic) != 0) {
      errors[i] = ErrorCode::group_subscribed_to_topic;
      continue;
    }
    if (g->offsets.count(tp) == 0) continue;
    records.push_back({encode_key(OffsetKey{group_id, tp.topic, tp.partition}), std::nullopt});
    removed.push_back(tp);
  }
  if (records.empty()) return done(ErrorCode::none, std::move(errors));
  journal_.append(g->offsets_partition, std::move(records),
                  [this, gid = group_id, removed = std::move(removed), errors = std::move(errors),
                   done = std::move(done)](ErrorCode e) mutable {
                    if (e != ErrorCode::none) return done(coordinator_write_error(e), {});
                    if (ClassicGroup* grp = find(gid)) {
                      for (const TopicPartition& tp : removed) grp->offsets.erase(tp);
                    }
                    done(ErrorCode::none, std::move(errors));
                  });
}

size_t Coordinator::expire_offsets() {
  int64_t now = timers_.now_ms();
  size_t expired = 0;
  std::vector<std::string> dead;
  for (auto& [id, gp] : groups_) {
    ClassicGroup& g = *gp;
    if (!is_loaded(g.offsets_partition)) continue;
    const ConsumerGroup* cg = consumer_->group(id);
    bool empty = cg != nullptr ? cg->members.empty() : g.state == GroupState::empty;
    if (!empty && cg == nullptr && g.protocol_type != "consumer") continue;
    std::unordered_set<std::string> subscribed;
    if (!empty && cg == nullptr) subscribed = g.subscribed_topics();
    if (!empty && cg != nullptr) {
      for (const auto& [name, t] : cg->subscribed_metadata) subscribed.insert(name);
    }
    std::vector<JournalRecord> tombstones;
    for (auto it = g.offsets.begin(); it != g.offsets.end();) {
      // An empty group's offsets age from when it became empty (they were in use until then);
      // offsets of a group that never had members, or of topics a live group no longer
      // consumes, age from their commit.
      int64_t base = it->second.commit_timestamp_ms;
      if (empty && cg == nullptr && !g.protocol_type.empty()) base = g.state_timestamp_ms;
      bool expire = (empty || subscribed.count(it->first.topic) == 0) && now - base >= config_.offsets_retention_ms;
      if (!expire) {
        ++it;
        continue;
      }
      tombstones.push_back({encode_key(OffsetKey{g.id, it->first.topic, it->first.partition}), std::nullopt});
      it = g.offsets.erase(it);
      ++expired;
    }
    if (empty && g.offsets.empty() && g.pending_members.empty()) {
      if (cg != nullptr) {
        std::vector<JournalRecord> more = consumer_->tombstones(*cg);
        tombstones.insert(tombstones.end(), more.begin(), more.end());
      } else {
        tombstones.push_back({encode_key(GroupKey{g.id}), std::nullopt});
      }
      dead.push_back(id);
    }
    if (!tombstones.empty()) journal_.append(g.offsets_partition, std::move(tombstones), [](ErrorCode) {});
  }
  // Consumer groups that never committed an offset go once they are empty.
  for (const auto& [id, cg] : consumer_->groups()) {
    if (!cg->members.empty() || groups_.count(id) != 0 || !is_loaded(cg->offsets_partition)) continue;
    journal_.append(cg->offsets_partition, consumer_->tombstones(*cg), [](ErrorCode) {});
    dead.push_back(id);
  }
  for (const std::string& id : dead) {
    consumer_->forget(id);
    remove_group(id);
  }
  return expired;
}

}  // namespace runnel::group
