#pragma once

// The payload of a leader_change entry: Kafka's LeaderChangeMessage (version 0, flexible), the
// value of the LEADER_CHANGE control record every KRaft leader writes first in its epoch. It
// names the new leader, the voters of the epoch and those that granted it their vote, so that a
// Kafka tool reading the metadata log (kafka-dump-log --cluster-metadata-decoder) understands it.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "broker/model/named_type.h"

namespace runnel::raft {

inline constexpr int16_t kLeaderChangeVersion = 0;  // Kafka's ControlRecordUtils.LEADER_CHANGE_CURRENT_VERSION

struct LeaderChange {
  NodeId leader_id{-1};
  std::vector<NodeId> voters;
  std::vector<NodeId> granting_voters;

  friend bool operator==(const LeaderChange&, const LeaderChange&) = default;
};

std::string encode_leader_change(const LeaderChange& change);
// nullopt when the bytes are not a whole LeaderChangeMessage of version 0.
std::optional<LeaderChange> decode_leader_change(std::string_view payload);

}  // namespace runnel::raft
