#include "broker/metadata/replica_placer.h"

#include <algorithm>
#include <set>

namespace runnel::metadata {

namespace {
bool usable(const BrokerRegistration& b) { return b.state() == BrokerState::unfenced; }
}  // namespace

ReplicaPlacer::ReplicaPlacer(const Image& image) {
  // Rule 2: stripe the usable brokers across racks (nullopt, "no rack", sorts first).
  std::map<std::optional<std::string>, std::vector<NodeId>> racks;
  for (const auto& [id, b] : image.brokers()) {
    if (usable(b)) racks[b.rack].push_back(id);
  }
  rack_count_ = racks.size();
  for (size_t round = 0;; ++round) {
    bool any = false;
    for (const auto& [rack, ids] : racks) {
      if (round < ids.size()) {
        striped_.push_back(Slot{ids[round], rack});
        any = true;
      }
    }
    if (!any) break;
  }
  std::map<NodeId, size_t> pos_of;
  for (size_t pos = 0; pos < striped_.size(); ++pos) pos_of[striped_[pos].id] = pos;
  successor_counts_.assign(striped_.size() * striped_.size(), 0);
  for (const auto& [id, t] : image.topics()) {
    for (const PartitionRegistration& p : t->partitions) {
      if (auto it = pos_of.find(p.leader); it != pos_of.end()) ++striped_[it->second].leaders;
      for (NodeId r : p.replicas) {
        if (auto it = pos_of.find(r); it != pos_of.end()) ++striped_[it->second].replicas;
      }
      // The preferred order: replicas[1] takes over from replicas[0].
      if (p.replicas.size() >= 2) {
        auto a = pos_of.find(p.replicas[0]), b = pos_of.find(p.replicas[1]);
        if (a != pos_of.end() && b != pos_of.end()) ++successor_counts_[a->second * striped_.size() + b->second];
      }
    }
  }
}

int32_t ReplicaPlacer::leaders_of(NodeId id) const {
  for (const Slot& s : striped_) {
    if (s.id == id) return s.leaders;
  }
  return 0;
}

int32_t ReplicaPlacer::replicas_of(NodeId id) const {
  for (const Slot& s : striped_) {
    if (s.id == id) return s.replicas;
  }
  return 0;
}

// Rule 5: whole rounds of partitions add one leader to every broker whatever the start, so only
// the remainder's window decides.
size_t ReplicaPlacer::lightest_start(int32_t partitions) const {
  size_t n = striped_.size();
  size_t window = static_cast<size_t>(partitions) % n;
  if (window == 0) window = n;
  size_t best = 0;
  std::pair<int64_t, int64_t> best_cost{INT64_MAX, INT64_MAX};
  for (size_t s = 0; s < n; ++s) {
    std::pair<int64_t, int64_t> cost{0, 0};
    for (size_t k = 0; k < window; ++k) {
      cost.first += striped_[(s + k) % n].leaders;
      cost.second += striped_[(s + k) % n].replicas;
    }
    if (cost < best_cost) {
      best_cost = cost;
      best = s;
    }
  }
  return best;
}

// Rule 4.
std::vector<NodeId> ReplicaPlacer::replicas_for(size_t leader_pos, int16_t replication_factor) const {
  size_t n = striped_.size();
  std::vector<size_t> chosen{leader_pos};
  std::set<std::optional<std::string>> racks_used{striped_[leader_pos].rack};
  auto taken = [&](size_t pos) { return std::find(chosen.begin(), chosen.end(), pos) != chosen.end(); };
  auto cost = [&](size_t pos) {
    int32_t successor = chosen.size() == 1 ? successor_counts_[leader_pos * n + pos] : 0;
    return std::pair{successor, striped_[pos].replicas};
  };
  while (chosen.size() < static_cast<size_t>(replication_factor)) {
    bool want_new_rack = racks_used.size() < rack_count_;
    std::optional<size_t> pick;
    for (size_t k = 1; k < n; ++k) {
      size_t pos = (leader_pos + k) % n;
      if (taken(pos) || (want_new_rack && racks_used.contains(striped_[pos].rack))) continue;
      if (!pick || cost(pos) < cost(*pick)) pick = pos;
    }
    RUNNEL_ASSERT(pick.has_value(), "no broker left for replica %zu of %d among %zu", chosen.size(),
                  replication_factor, n);
    chosen.push_back(*pick);
    racks_used.insert(striped_[*pick].rack);
  }
  std::vector<NodeId> out;
  for (size_t pos : chosen) out.push_back(striped_[pos].id);
  return out;
}

Answer<std::vector<std::vector<NodeId>>> ReplicaPlacer::place(int32_t partitions, int16_t replication_factor) {
  RUNNEL_ASSERT(partitions > 0, "placing %d partitions", partitions);
  if (replication_factor <= 0) {
    return refuse(ErrorCode::invalid_replication_factor,
                  "Replication factor must be larger than 0, or -1 to use the default value.");
  }
  if (striped_.empty()) {
    return refuse(ErrorCode::invalid_replication_factor, "Unable to replicate the partition " +
                                                             std::to_string(replication_factor) +
                                                             " time(s): All brokers are currently fenced.");
  }
  if (replication_factor > usable_brokers()) {
    return refuse(ErrorCode::invalid_replication_factor,
                  "Unable to replicate the partition " + std::to_string(replication_factor) +
                      " time(s): The target replication factor of " + std::to_string(replication_factor) +
                      " cannot be reached because only " + std::to_string(usable_brokers()) +
                      " broker(s) are registered.");
  }
  size_t n = striped_.size();
  size_t start = lightest_start(partitions);
  std::vector<std::vector<NodeId>> out;
  out.reserve(static_cast<size_t>(partitions));
  // Leaderships first (rule 3), so followers balance against all of them (rule 4).
  for (size_t p = 0; p < static_cast<size_t>(partitions); ++p) {
    Slot& leader = striped_[(start + p) % n];
    ++leader.leaders;
    ++leader.replicas;
  }
  for (size_t p = 0; p < static_cast<size_t>(partitions); ++p) {
    size_t leader_pos = (start + p) % n;
    out.push_back(replicas_for(leader_pos, replication_factor));
    for (size_t i = 1; i < out.back().size(); ++i) {
      for (size_t pos = 0; pos < n; ++pos) {
        if (striped_[pos].id != out.back()[i]) continue;
        ++striped_[pos].replicas;
        if (i == 1) ++successor_counts_[leader_pos * n + pos];
      }
    }
  }
  return out;
}

}  // namespace runnel::metadata
