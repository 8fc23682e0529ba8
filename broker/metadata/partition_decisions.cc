#include "broker/metadata/partition_decisions.h"

#include <algorithm>
#include <set>

#include "broker/metadata/broker_decisions.h"
#include "broker/metadata/leader_election.h"

namespace runnel::metadata {

namespace {

bool contains(const std::vector<NodeId>& ids, NodeId id) { return std::find(ids.begin(), ids.end(), id) != ids.end(); }

Answer<void> check_new_isr(const Image& image, const PartitionRegistration& p, const std::vector<NodeId>& isr) {
  if (!contains(isr, p.leader)) return refuse(ErrorCode::invalid_request, "The new ISR does not contain the leader.");
  std::set<NodeId> seen;
  for (NodeId id : isr) {
    if (!seen.insert(id).second) {
      return refuse(ErrorCode::invalid_request, "The new ISR contains broker " + std::to_string(id.value()) + " twice.");
    }
    if (!contains(p.replicas, id)) {
      return refuse(ErrorCode::invalid_request,
                    "The new ISR contains broker " + std::to_string(id.value()) + ", which is not a replica.");
    }
    if (!eligible_leader(image, id)) {
      return refuse(ErrorCode::ineligible_replica, "The new ISR contains broker " + std::to_string(id.value()) +
                                                       ", which is fenced or in controlled shutdown.");
    }
  }
  return {};
}

Answer<AlterPartitionAnswer> decide(const Image& image, NodeId broker, const AlterPartitionItem& item,
                                    std::vector<Record>& records) {
  const TopicImage* t = image.topic(item.topic_id);
  if (t == nullptr) return refuse(ErrorCode::unknown_topic_id);
  const PartitionRegistration* p = image.partition(item.topic_id, item.partition);
  if (p == nullptr) return refuse(ErrorCode::unknown_topic_or_partition);
  if (p->leader != broker) return refuse(ErrorCode::not_leader_or_follower);
  if (item.leader_epoch < p->leader_epoch) return refuse(ErrorCode::fenced_leader_epoch);
  if (item.leader_epoch > p->leader_epoch) return refuse(ErrorCode::unknown_leader_epoch);
  if (item.partition_epoch != p->partition_epoch) return refuse(ErrorCode::invalid_update_version);
  if (auto ok = check_new_isr(image, *p, item.new_isr); !ok) return Unexpected(std::move(ok).error());
  if (item.new_isr == p->isr) {
    // A retry of a change that already committed: answer with the registration as it is.
    return AlterPartitionAnswer{p->leader, p->leader_epoch, p->partition_epoch, p->isr};
  }
  records.emplace_back(PartitionChangeRecord{item.partition, item.topic_id, item.new_isr});
  return AlterPartitionAnswer{p->leader, p->leader_epoch, PartitionEpoch(p->partition_epoch.value() + 1),
                              item.new_isr};
}

}  // namespace

Answer<AlterPartitionDecision> alter_partition(const Image& image, NodeId broker, BrokerEpoch broker_epoch,
                                               std::span<const AlterPartitionItem> items) {
  if (auto b = registered(image, broker, broker_epoch); !b) return Unexpected(std::move(b).error());
  AlterPartitionDecision out;
  for (const AlterPartitionItem& item : items) out.answers.push_back(decide(image, broker, item, out.records));
  return out;
}

std::vector<Record> preferred_leader_elections(const Image& image, size_t max_partitions) {
  std::vector<Record> out;
  for (const auto& [id, t] : image.topics()) {
    for (size_t p = 0; p < t->partitions.size() && out.size() < max_partitions; ++p) {
      const PartitionRegistration& part = t->partitions[p];
      NodeId preferred = part.replicas.front();
      if (part.leader == preferred || !contains(part.isr, preferred) || !eligible_leader(image, preferred)) continue;
      out.emplace_back(PartitionChangeRecord{PartitionId(static_cast<int32_t>(p)), id, std::nullopt, preferred});
    }
  }
  return out;
}

}  // namespace runnel::metadata
