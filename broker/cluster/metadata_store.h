#pragma once

#include <string>

#include "broker/cluster/errc.h"
#include "broker/cluster/metadata_image.h"
#include "broker/config/broker_config.h"
#include "broker/io/ring.h"
#include "broker/io/task.h"
#include "broker/model/result.h"

namespace runnel::cluster {

// Durable cluster metadata of a single-node cluster: the topics, their ids, partitions,
// replica sets, leader epochs and config overrides, plus the producer-id high water mark.
// Kept as one JSON document (`<log dir>/__cluster_metadata/metadata.json`), replaced
// atomically: write a temporary file, fdatasync, rename over the old one, fsync the directory.
// A crash leaves either the old or the new document, never a mix.
//
// Also owns `meta.properties` (Kafka's format: cluster.id, node.id, version) in each log dir.
class MetadataStore {
 public:
  explicit MetadataStore(std::string log_dir) : dir_(std::move(log_dir) + "/__cluster_metadata") {}

  // Start-up (blocking): loads the document, or creates an empty cluster with a new cluster id.
  // Writes or checks meta.properties (a node.id mismatch is an error, as in Kafka). Errors are
  // messages for the person starting the broker, which refuses to start.
  Result<void, std::string> load(const config::BrokerConfig& config, MetadataImage& image,
                                 int64_t& producer_id_block_end);

  // Serving path: persists through the ring. Errc::persist_failed when any step fails; the
  // document on disk is then still the previous one.
  io::Task<Result<void, Errc>> save(io::Ring& ring, const MetadataImage& image, int64_t producer_id_block_end);

  // Blocking variant for start-up.
  Result<void, std::string> save_blocking(const MetadataImage& image, int64_t producer_id_block_end);

 private:
  std::string dir_;
};

// (Re)computes every topic's effective config from broker defaults and its overrides.
void refresh_effective_configs(const config::BrokerConfig& config, MetadataImage& image);

}  // namespace runnel::cluster
