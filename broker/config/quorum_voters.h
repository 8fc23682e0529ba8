#pragma once

// The KRaft quorum's voter lists, as Kafka writes them:
//   controller.quorum.voters         id@host:port[,id@host:port...]          (static quorum)
//   kafka-storage format --initial-controllers id@host:port:directoryId,...  (dynamic quorum)
// Parsing is pure; the messages follow Kafka's where it has one.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "broker/model/named_type.h"
#include "broker/config/result.h"
#include "broker/model/uuid.h"

namespace runnel::config {

struct QuorumVoter {
  NodeId id{-1};
  std::string host;  // a host name, an IPv4 address or a bracketed IPv6 address without brackets
  int32_t port = 0;
  std::optional<Uuid> directory_id;  // only in --initial-controllers
  bool operator==(const QuorumVoter&) const = default;
};

enum class VoterSyntax {
  static_voters,        // id@host:port (controller.quorum.voters)
  initial_controllers,  // id@host:port:directoryId (format --initial-controllers)
};

// One entry; the error says what is wrong with it.
Result<QuorumVoter> parse_quorum_voter(std::string_view text, VoterSyntax syntax);
// A comma-separated list (entries already split are accepted too). Ids must be distinct.
Result<std::vector<QuorumVoter>> parse_quorum_voters(const std::vector<std::string>& entries,
                                                                 VoterSyntax syntax);
// "id@host:port" (and ":directoryId" when it has one), as it was written.
std::string to_string(const QuorumVoter& v);

}  // namespace runnel::config
