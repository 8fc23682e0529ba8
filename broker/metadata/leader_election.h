#pragma once

// Kafka's rules for choosing a partition leader (PartitionChangeBuilder, KIP-841), as pure
// functions over an image.
//
// A broker is *eligible* to lead when it is registered, unfenced and not in controlled shutdown.
//
// 1. The current leader stays while it is eligible and in the (new) ISR: an election never
//    moves leadership for its own sake (preferred-leader elections are a separate decision).
// 2. Otherwise the leader is the first replica, in replica-list order, that is in the ISR and
//    eligible. Replica order is the preference order, so leadership returns to the same brokers.
// 3. Otherwise, with unclean.leader.election.enable (off by default, per topic or cluster
//    default), the first eligible replica even outside the ISR; the ISR becomes just that broker.
//    This can lose acknowledged records, which is why it is off.
// 4. Otherwise no leader (-1): the partition is offline until an ISR member comes back.
//
// When a broker is fenced or starts a controlled shutdown it leaves every ISR, except where it
// is the last member (KIP-841): an ISR never becomes empty, so the broker that holds the latest
// records is the one that brings the partition back when it returns.

#include <optional>
#include <vector>

#include "broker/metadata/image.h"
#include "broker/metadata/records.h"

namespace runnel::metadata {

bool eligible_leader(const Image& image, NodeId id);

struct Election {
  NodeId leader = kNoLeader;
  std::vector<NodeId> isr;  // the ISR after the election (changed only by an unclean one)
};

Election elect_leader(const Image& image, const PartitionRegistration& partition, const std::vector<NodeId>& isr,
                      bool unclean_allowed);

// Whether unclean.leader.election.enable is on for the topic: its own config, else the
// cluster-wide default, else `static_default` (the broker's server.properties value).
bool unclean_election_enabled(const Image& image, std::string_view topic, bool static_default);

// The partition changes that follow a change of `broker`'s state, computed on `after` (the
// image with the broker's new state applied): for every partition it is a replica of, drop it
// from the ISR if it can no longer lead (not the last member), and re-elect where the leader
// is no longer eligible or there is none.
std::vector<Record> partition_changes_for_broker(const Image& after, NodeId broker, bool unclean_default);

}  // namespace runnel::metadata
