#pragma once

// Which quorum this node's metadata member runs in, decided once at start-up from the
// configuration and what `format` wrote:
//
//   controller.quorum.voters set           a static quorum of those voters (Kafka's static mode)
//   <metadata dir>/__cluster_metadata/     a dynamic quorum formatted with --standalone or
//     bootstrap-voters                     --initial-controllers: those voters (voter changes
//                                          through AddRaftVoter are not there yet)
//   neither, a lone combined node          a standalone quorum of itself: the quick start and a
//   (no controller.quorum.* at all)        data directory of a Runnel from before quorums, which
//                                          gets its bootstrap-voters written now, so the node is
//                                          what `format --standalone` would have made it
//   controller.quorum.bootstrap.servers    a dynamic quorum this node joins knowing no voter (formatted
//     and no voters                        --no-initial-controllers, or a broker-only node): it
//                                          finds the leader through the bootstrap servers and learns
//                                          the voters from the log; an administrator adds it as a
//                                          voter with kafka-metadata-quorum add-controller
//   anything else                          no member: a broker-only node with neither voters nor
//                                          bootstrap servers serves as a cluster of one, with a warning
//
// A standalone node (a quorum whose one voter is itself) takes replication factor 1 for its
// internal topics unless the configuration says otherwise: a one-node cluster cannot do better,
// and Kafka's default of 3 would leave every consumer group without a coordinator.
// Blocking (it may write the bootstrap-voters file): start-up only.

#include <optional>
#include <string>
#include <vector>

#include "broker/config/broker_config.h"
#include "broker/config/quorum_voters.h"
#include "broker/model/result.h"

namespace runnel::server {

struct QuorumMembership {
  std::vector<config::QuorumVoter> voters;  // empty for a node that joins (--no-initial-controllers)
  bool standalone = false;  // the only voter is this node
  // A dynamic quorum (kraft.version 1): voters change through AddRaftVoter/RemoveRaftVoter and
  // the log; `voters` is only where it starts.
  bool dynamic = false;
};

// nullopt: no quorum member (see above). `advertised_host` stands in for a listener without a
// host when this node names itself as the lone voter.
Result<std::optional<QuorumMembership>, std::string> resolve_quorum_membership(const config::BrokerConfig& config,
                                                                               const std::string& advertised_host);

// This node as a voter: its id and controller endpoint (see quorum_membership.cc).
config::QuorumVoter self_voter(const config::BrokerConfig& config, const std::string& advertised_host);

// The standalone defaults above, applied to `config` where it does not set them itself.
void apply_standalone_defaults(config::BrokerConfig& config);

}  // namespace runnel::server
