#pragma once

// meta.properties: the identity file Kafka's `kafka-storage format` writes into every log
// directory (and that `runnel-broker format` writes the same way):
//
//   version=1
//   cluster.id=<22-character Kafka Uuid>
//   node.id=<int>
//   directory.id=<22-character Kafka Uuid, distinct per directory>
//
// A directory without the file is unformatted. At start-up every formatted directory must name
// the same cluster and this node; a directory formatted for another cluster is refused (a disk
// moved between clusters must never be served as this cluster's data). Blocking: start-up and
// the format tool only.

#include <optional>
#include <string>
#include <vector>

#include "broker/model/named_type.h"
#include "broker/model/result.h"
#include "broker/model/uuid.h"

namespace runnel::cluster {

inline constexpr const char* kMetaPropertiesName = "meta.properties";

struct MetaProperties {
  int version = 1;
  std::string cluster_id;
  NodeId node_id{-1};
  Uuid directory_id;
  bool operator==(const MetaProperties&) const = default;
};

// The file's text (Java properties syntax, keys sorted as Kafka writes them).
std::string encode_meta_properties(const MetaProperties& m);
// Parses the text; `path` only names the file in messages.
Result<MetaProperties, std::string> parse_meta_properties(const std::string& text, const std::string& path);

// nullopt when `dir` has no meta.properties (unformatted); an error when it cannot be read or
// is damaged.
Result<std::optional<MetaProperties>, std::string> read_meta_properties(const std::string& dir);
// Creates `dir` if needed and writes the file durably (temporary file, fdatasync, rename,
// directory fsync).
Result<void, std::string> write_meta_properties(const std::string& dir, const MetaProperties& m);

// Start-up check over every directory the node uses: all formatted ones agree on the cluster
// id and match `node`. Returns the cluster id they name (nullopt when none is formatted).
Result<std::optional<std::string>, std::string> check_log_dirs(const std::vector<std::string>& dirs, NodeId node);

// True when `id` is a valid Kafka cluster id (a non-zero Uuid in its 22-character form).
bool valid_cluster_id(const std::string& id);

}  // namespace runnel::cluster
