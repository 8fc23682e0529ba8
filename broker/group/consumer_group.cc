#include "broker/group/consumer_group.h"

#include <algorithm>

#include "broker/model/assert.h"

namespace runnel::group {

const char* member_state_name(MemberState s) {
  switch (s) {
    case MemberState::stable: return "STABLE";
    case MemberState::unrevoked_partitions: return "UNREVOKED_PARTITIONS";
    case MemberState::unreleased_partitions: return "UNRELEASED_PARTITIONS";
  }
  return "UNKNOWN";
}

const char* consumer_group_state_name(ConsumerGroupState s) {
  // Kafka's ConsumerGroupState names as ListGroups and ConsumerGroupDescribe show them.
  switch (s) {
    case ConsumerGroupState::empty: return "Empty";
    case ConsumerGroupState::assigning: return "Assigning";
    case ConsumerGroupState::reconciling: return "Reconciling";
    case ConsumerGroupState::stable: return "Stable";
    case ConsumerGroupState::dead: return "Dead";
  }
  return "Unknown";
}

ConsumerGroupState ConsumerGroup::state() const {
  if (members.empty()) return ConsumerGroupState::empty;
  if (group_epoch > assignment_epoch) return ConsumerGroupState::assigning;
  for (const auto& [id, m] : members) {
    if (m.member_epoch == kLeaveGroupStaticMemberEpoch) continue;  // a static member away
    if (m.member_epoch != assignment_epoch || m.state != MemberState::stable) return ConsumerGroupState::reconciling;
  }
  return ConsumerGroupState::stable;
}

ConsumerMember* ConsumerGroup::member(const std::string& member_id) {
  auto it = members.find(member_id);
  return it == members.end() ? nullptr : &it->second;
}

const std::string* ConsumerGroup::owner(const Uuid& topic, int32_t partition) const {
  auto it = owners.find({topic, partition});
  return it == owners.end() ? nullptr : &it->second;
}

void ConsumerGroup::add_ownership(const ConsumerMember& m) {
  for (const Assignment* a : {&m.assigned, &m.pending_revocation}) {
    for (const auto& [t, ps] : *a) {
      for (int32_t p : ps) {
        auto [it, inserted] = owners.emplace(std::make_pair(t, p), m.id);
        // Two members holding one partition would mean two consumers reading it at once.
        RUNNEL_ASSERT(inserted || it->second == m.id, "partition %d owned by %s and %s", p, it->second.c_str(),
                      m.id.c_str());
      }
    }
  }
}

void ConsumerGroup::remove_ownership(const ConsumerMember& m) {
  for (const Assignment* a : {&m.assigned, &m.pending_revocation}) {
    for (const auto& [t, ps] : *a) {
      for (int32_t p : ps) {
        auto it = owners.find({t, p});
        if (it != owners.end() && it->second == m.id) owners.erase(it);
      }
    }
  }
}

std::string ConsumerGroup::preferred_assignor(const std::string& fallback) const {
  std::map<std::string, int> votes;
  for (const auto& [id, m] : members)
    if (m.server_assignor) ++votes[*m.server_assignor];
  std::string best = fallback;
  int most = 0;
  for (const auto& [name, n] : votes) {
    if (n > most) {
      best = name;
      most = n;
    }
  }
  return best;
}

std::vector<std::string> ConsumerGroup::member_topics(const ConsumerMember& m) const {
  std::vector<std::string> out = m.subscribed_topic_names;
  if (m.subscribed_topic_regex) {
    auto it = resolved_regexes.find(*m.subscribed_topic_regex);
    if (it != resolved_regexes.end()) out.insert(out.end(), it->second.begin(), it->second.end());
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

SubscribedMetadata ConsumerGroup::compute_subscribed_metadata(const TopicCatalog& topics) const {
  SubscribedMetadata out;
  for (const auto& [id, m] : members) {
    for (const std::string& name : member_topics(m)) {
      if (const TopicMeta* t = topics.by_name(name)) out[name] = *t;
    }
  }
  return out;
}

}  // namespace runnel::group
