#pragma once

// Feeds today's handlers from the metadata log: converts the cluster-era image into the
// cluster::MetadataImage that `server::Shard::install_image` publishes and every handler reads.
// This is the bridge chosen so that nothing outside broker/metadata changes while the quorum is
// wired in; once the handlers read metadata::Image directly it goes away.
//
// What the conversion decides:
// - brokers: the registered brokers that are not fenced (Kafka's Metadata response lists the
//   alive ones, those in controlled shutdown included), each with the endpoint of the listener
//   that clients use;
// - topics: every topic with its partitions (leader, leader epoch, replicas, ISR) and its
//   config overrides; effective configs are the overrides over this broker's dynamic configs
//   (ConfigRecords for its id) over the cluster-wide defaults of the log (ConfigRecords for the
//   "" broker resource) over the broker's static properties (layered_config.h). Broker configs
//   that are not topic defaults (max.connections, log.cleaner.threads, ...) are shown by
//   DescribeConfigs but not yet applied at run time.

#include <string>

#include "broker/cluster/metadata_image.h"
#include "broker/config/broker_config.h"
#include "broker/metadata/image.h"

namespace runnel::metadata {

struct ClusterView {
  std::string cluster_id;
  NodeId controller_id{-1};  // the active controller, as Metadata responses report it
  std::string listener_name;  // the client listener; "" = each broker's first listener
};

cluster::MetadataImage to_cluster_image(const Image& image, const config::BrokerConfig& config,
                                        const ClusterView& view);

}  // namespace runnel::metadata
