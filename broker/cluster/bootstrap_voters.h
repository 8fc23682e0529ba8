#pragma once

// The voter set a dynamic quorum starts from (Kafka's bootstrap checkpoint, KIP-853): written
// by `runnel-broker format --standalone` or `--initial-controllers` (and by a lone node that
// formats itself, the quick start) into `<metadata.log.dir>/__cluster_metadata/bootstrap-voters`,
// one voter per line in --initial-controllers syntax (id@host:port:directoryId). A node whose
// configuration has no controller.quorum.voters runs its quorum member with these voters.
// Blocking: start-up and the format tool only.

#include <optional>
#include <string>
#include <vector>

#include "broker/config/quorum_voters.h"
#include "broker/model/result.h"

namespace runnel::cluster {

inline constexpr const char* kBootstrapVotersName = "bootstrap-voters";

// nullopt when the node was formatted without initial voters (--no-initial-controllers, or a
// Runnel before dynamic quorums); an error when the file cannot be read or is damaged.
Result<std::optional<std::vector<config::QuorumVoter>>, std::string> read_bootstrap_voters(
    const std::string& metadata_dir);

// Durably (temporary file, fdatasync, rename, directory fsync), creating the folder if needed.
Result<void, std::string> write_bootstrap_voters(const std::string& metadata_dir,
                                                 const std::vector<config::QuorumVoter>& voters);

}  // namespace runnel::cluster
