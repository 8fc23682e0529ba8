#pragma once

// The answers a prospective (pre-votes) or a candidate (votes) has collected in one round.
// Answers are a set per voter, so a duplicated response counts once.

#include <algorithm>
#include <vector>

#include "broker/model/named_type.h"

namespace runnel::raft {

class VoteTally {
 public:
  VoteTally(const std::vector<NodeId>& voters, NodeId self) : voters_(voters) { record(self, true); }

  void record(NodeId voter, bool granted) {
    if (std::find(voters_.begin(), voters_.end(), voter) == voters_.end()) return;
    if (contains(granted_, voter) || contains(rejected_, voter)) return;
    (granted ? granted_ : rejected_).push_back(voter);
  }

  size_t majority() const { return voters_.size() / 2 + 1; }
  bool won() const { return granted_.size() >= majority(); }
  // The voters that granted, this node first (Kafka's LeaderChangeMessage.GrantingVoters).
  const std::vector<NodeId>& granted() const { return granted_; }

 private:
  static bool contains(const std::vector<NodeId>& v, NodeId id) { return std::find(v.begin(), v.end(), id) != v.end(); }

  std::vector<NodeId> voters_;
  std::vector<NodeId> granted_;
  std::vector<NodeId> rejected_;
};

}  // namespace runnel::raft
