#pragma once

// What a quorum member must remember across a crash (Kafka's quorum-state file): the epoch, whom
// it voted for in that epoch and the leader it knows for that epoch. It is written (atomically)
// before any message that depends on it leaves the node; see "Durability before speech" in
// README.md.

#include <string_view>

#include "broker/model/named_type.h"
#include "broker/raft/entry.h"

namespace runnel::raft {

struct QuorumStateData {
  LeaderEpoch epoch{0};
  NodeId voted_for{-1};
  NodeId leader_id{-1};

  friend bool operator==(const QuorumStateData&, const QuorumStateData&) = default;
};

// The roles of a quorum member, as Kafka's QuorumState names its state classes.
enum class Role : uint8_t {
  unattached,   // knows an epoch but no leader; may have voted in it
  prospective,  // asks for pre-votes (KIP-996) before bumping the epoch
  candidate,    // has bumped the epoch, voted for itself and asks for votes
  leader,
  follower,  // knows the leader of its epoch and fetches from it
  resigned,  // was leader of this epoch and stepped down (check-quorum or restart)
};

constexpr std::string_view role_name(Role role) {
  switch (role) {
    case Role::unattached: return "unattached";
    case Role::prospective: return "prospective";
    case Role::candidate: return "candidate";
    case Role::leader: return "leader";
    case Role::follower: return "follower";
    case Role::resigned: return "resigned";
  }
  return "?";
}

}  // namespace runnel::raft
