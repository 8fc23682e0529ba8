#pragma once

// Where the replicas of new partitions go: Kafka's striped placement (KIP-660's
// StripedReplicaPlacer), with leader balance made deterministic.
//
// The rules:
// 1. Only usable brokers hold new replicas: registered, unfenced, not in controlled shutdown.
//    A replication factor above their number is INVALID_REPLICATION_FACTOR.
// 2. Brokers are striped across racks: the list takes the first broker of every rack, then the
//    second of every rack, and so on (racks by name, brokers by id; brokers without broker.rack
//    form one rack of their own). Consecutive positions are in different racks while racks last.
// 3. Partition p's leader (first replica) is the broker at position start + p, so a topic's
//    leaders go round every broker before any broker leads twice.
// 4. Its followers are chosen one at a time among the brokers not chosen yet and, while some
//    rack holds none of this partition's replicas, among the brokers of such racks. The first
//    follower is the one that is least often the first follower of this leader already (it
//    takes over when the leader fails, so a failed broker's leaderships spread over many
//    brokers), then the one holding the fewest replicas; later followers the one holding the
//    fewest replicas. Replica counts include the leaderships of the whole request, which are
//    fixed before any follower is chosen. Ties go to the first in list order after the leader.
//    Kafka varies followers with a random shift instead. With uneven racks a broker in a big
//    rack holds fewer replicas than one in a small rack, as in Kafka: each rack takes its share.
// 5. `start` is where leadership is lightest: the window of positions the topic's leaders will
//    take whose brokers lead the fewest partitions now (then hold the fewest replicas, then the
//    lowest position). Kafka starts at a random position, which balances only on average (its
//    own tests show skew at low partition counts); counting makes many small topics balance too.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "broker/metadata/image.h"
#include "broker/metadata/refusal.h"

namespace runnel::metadata {

class ReplicaPlacer {
 public:
  // Counts the leaders and replicas each usable broker of `image` has now.
  explicit ReplicaPlacer(const Image& image);

  int32_t usable_brokers() const { return static_cast<int32_t>(striped_.size()); }

  // Replica lists for `partitions` new partitions; counts them, so the next call (another topic
  // of the same request) balances against them too.
  Answer<std::vector<std::vector<NodeId>>> place(int32_t partitions, int16_t replication_factor);

  int32_t leaders_of(NodeId id) const;
  int32_t replicas_of(NodeId id) const;

 private:
  struct Slot {
    NodeId id;
    std::optional<std::string> rack;
    int32_t leaders = 0;
    int32_t replicas = 0;
  };
  size_t lightest_start(int32_t partitions) const;
  std::vector<NodeId> replicas_for(size_t leader_pos, int16_t replication_factor) const;

  std::vector<Slot> striped_;
  // How often broker b is the first follower of leader a, by positions: a * size + b.
  std::vector<int32_t> successor_counts_;
  size_t rack_count_ = 0;
};

}  // namespace runnel::metadata
