#include "broker/metadata/leader_election.h"

#include <algorithm>

namespace runnel::metadata {

namespace {
bool contains(const std::vector<NodeId>& ids, NodeId id) { return std::find(ids.begin(), ids.end(), id) != ids.end(); }
}  // namespace

bool eligible_leader(const Image& image, NodeId id) {
  const BrokerRegistration* b = image.broker(id);
  return b != nullptr && b->state() == BrokerState::unfenced;
}

Election elect_leader(const Image& image, const PartitionRegistration& partition, const std::vector<NodeId>& isr,
                      bool unclean_allowed) {
  if (partition.leader != kNoLeader && contains(isr, partition.leader) && eligible_leader(image, partition.leader)) {
    return Election{partition.leader, isr};
  }
  for (NodeId r : partition.replicas) {
    if (contains(isr, r) && eligible_leader(image, r)) return Election{r, isr};
  }
  if (unclean_allowed) {
    for (NodeId r : partition.replicas) {
      if (eligible_leader(image, r)) return Election{r, {r}};
    }
  }
  return Election{kNoLeader, isr};
}

bool unclean_election_enabled(const Image& image, std::string_view topic, bool static_default) {
  constexpr std::string_view kName = "unclean.leader.election.enable";
  const ConfigMap* own = image.topic_configs(topic);
  const ConfigMap& cluster = image.configs().cluster_default;
  if (own != nullptr) {
    if (auto it = own->find(kName); it != own->end()) return it->second == "true";
  }
  if (auto it = cluster.find(kName); it != cluster.end()) return it->second == "true";
  return static_default;
}

std::vector<Record> partition_changes_for_broker(const Image& after, NodeId broker, bool unclean_default) {
  std::vector<Record> out;
  bool can_lead = eligible_leader(after, broker);
  for (const auto& [topic_id, t] : after.topics()) {
    std::optional<bool> unclean;  // looked up once per topic, when needed
    for (size_t p = 0; p < t->partitions.size(); ++p) {
      const PartitionRegistration& part = t->partitions[p];
      if (!contains(part.replicas, broker)) continue;
      std::vector<NodeId> isr = part.isr;
      if (!can_lead && isr.size() > 1) std::erase(isr, broker);
      bool needs_leader = part.leader == kNoLeader || !contains(isr, part.leader) || !eligible_leader(after, part.leader);
      if (!needs_leader && isr == part.isr) continue;
      if (!unclean) unclean = unclean_election_enabled(after, t->name, unclean_default);
      Election e = elect_leader(after, part, isr, *unclean);
      PartitionChangeRecord change{PartitionId(static_cast<int32_t>(p)), topic_id};
      if (e.isr != part.isr) change.isr = e.isr;
      if (e.leader != part.leader) change.leader = e.leader;
      if (change.isr || change.leader) out.emplace_back(std::move(change));
    }
  }
  return out;
}

}  // namespace runnel::metadata
