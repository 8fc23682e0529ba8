#include "broker/server/quorum_membership.h"

#include "broker/cluster/bootstrap_voters.h"
#include "broker/cluster/meta_properties.h"
#include "broker/log/log.h"

namespace runnel::server {

// The endpoint a node names for itself as a voter: its controller listener when it has one, else
// its first advertised listener (every API answers on every listener, so Kafka's
// `kafka-metadata-quorum --bootstrap-controller` reaches it there too).
config::QuorumVoter self_voter(const config::BrokerConfig& config, const std::string& advertised_host) {
  const config::Endpoint* chosen = nullptr;
  for (const std::string& name : config.controller_listener_names) {
    for (const config::Endpoint& e : config.listeners) {
      if (chosen == nullptr && e.name == name) chosen = &e;
    }
  }
  const auto& advertised = config.advertised_listeners.empty() ? config.listeners : config.advertised_listeners;
  if (chosen == nullptr) chosen = &advertised.front();
  config::QuorumVoter v;
  v.id = config.node_id;
  v.host = chosen->host.empty() || chosen->host == "0.0.0.0" ? advertised_host : chosen->host;
  v.port = chosen->port;
  return v;
}

namespace {

bool standalone(const std::vector<config::QuorumVoter>& voters, NodeId self) {
  return voters.size() == 1 && voters.front().id == self;
}

}  // namespace

Result<std::optional<QuorumMembership>, std::string> resolve_quorum_membership(const config::BrokerConfig& config,
                                                                               const std::string& advertised_host) {
  using Membership = std::optional<QuorumMembership>;
  if (!config.controller_quorum_voters.empty()) {
    return Membership(QuorumMembership{config.controller_quorum_voters,
                                       standalone(config.controller_quorum_voters, config.node_id), false});
  }
  auto bootstrap = cluster::read_bootstrap_voters(config.metadata_log_dir);
  if (!bootstrap) return Unexpected(bootstrap.error());
  if (bootstrap->has_value()) {
    std::vector<config::QuorumVoter> voters = std::move(**bootstrap);
    const bool alone = standalone(voters, config.node_id);
    return Membership(QuorumMembership{std::move(voters), alone, true});
  }
  if (!config.controller_quorum_bootstrap_servers.empty()) {
    return Membership(QuorumMembership{{}, false, true});
  }
  if (!config.is_controller()) {
    RUNNEL_LOG(warn,
               "this node has no voter set and no controller.quorum.bootstrap.servers (a broker-only node "
               "without controller.quorum.voters), so it runs as a cluster of one");
    return Membership();
  }
  // A lone combined node: make it what `format --standalone` would have, once.
  config::QuorumVoter self = self_voter(config, advertised_host);
  auto meta = cluster::read_meta_properties(config.metadata_log_dir);
  if (!meta) return Unexpected(meta.error());
  if (meta->has_value()) self.directory_id = (*meta)->directory_id;
  if (auto written = cluster::write_bootstrap_voters(config.metadata_log_dir, {self}); !written) {
    return Unexpected(written.error());
  }
  RUNNEL_LOG(info, "no controller quorum configured: running as a standalone quorum of this node (%s)",
             config::to_string(self).c_str());
  return Membership(QuorumMembership{{self}, true, true});
}

void apply_standalone_defaults(config::BrokerConfig& config) {
  const auto& set = config.layers.static_file;
  if (!set.contains("offsets.topic.replication.factor")) config.offsets_topic_replication_factor = 1;
  if (!set.contains("transaction.state.log.replication.factor")) config.transaction_state_log_replication_factor = 1;
  if (!set.contains("transaction.state.log.min.isr")) config.transaction_state_log_min_isr = 1;
}

}  // namespace runnel::server
