#pragma once

// The voters of the metadata quorum (KIP-853). A static quorum (controller.quorum.voters,
// kraft.version 0) has a fixed set of ids. A dynamic quorum (kraft.version 1) starts from the
// voters `format` wrote and changes through the log: each VotersRecord control record replaces
// the whole set from the moment it is appended (not committed), and a truncation that removes it
// brings back the set before it. Changes go one voter at a time, so any majority of the old set
// and any majority of the new one overlap.
//
// A voter is a replica key, its node id and directory id (a disk replaced under the same node id
// is another replica), plus what others need to reach it: its controller endpoints and the
// kraft.version range it supports.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "broker/model/named_type.h"
#include "broker/model/uuid.h"

namespace runnel::raft {

inline constexpr int16_t kVotersRecordVersion = 0;       // Kafka's VotersRecord version
inline constexpr int16_t kKRaftVersionRecordVersion = 0;  // Kafka's KRaftVersionRecord version

struct VoterEndpoint {
  std::string listener;  // the listener name, e.g. CONTROLLER
  std::string host;
  uint16_t port = 0;
  friend bool operator==(const VoterEndpoint&, const VoterEndpoint&) = default;
};

struct Voter {
  NodeId id{-1};
  Uuid directory_id;  // zero in a static quorum
  std::vector<VoterEndpoint> endpoints;
  int16_t min_kraft_version = 0;
  int16_t max_kraft_version = 1;
  friend bool operator==(const Voter&, const Voter&) = default;
};

class VoterSet {
 public:
  VoterSet() = default;
  explicit VoterSet(std::vector<Voter> voters);
  static VoterSet of_ids(const std::vector<NodeId>& ids);

  bool empty() const { return voters_.empty(); }
  size_t size() const { return voters_.size(); }
  size_t majority() const { return voters_.size() / 2 + 1; }
  // A voter is named by id; a directory id, when both sides know one, must match too.
  bool contains(NodeId id) const { return find(id) != nullptr; }
  bool contains(NodeId id, const Uuid& directory) const;
  const Voter* find(NodeId id) const;
  std::vector<NodeId> ids() const;
  const std::vector<Voter>& voters() const { return voters_; }

  VoterSet with(Voter voter) const;     // added, or replaced when the id is there
  VoterSet without(NodeId id) const;

  friend bool operator==(const VoterSet&, const VoterSet&) = default;

 private:
  std::vector<Voter> voters_;  // ordered by id
};

// The payload of a voters entry: Kafka's VotersRecord (version 0, flexible), the value of the
// KRAFT_VOTERS control record (type 6).
std::string encode_voters(const VoterSet& voters);
// nullopt when the bytes are not a whole VotersRecord of version 0 with distinct ids.
std::optional<VoterSet> decode_voters(std::string_view payload);

// The payload of a kraft_version entry: Kafka's KRaftVersionRecord (type 5).
std::string encode_kraft_version(int16_t kraft_version);
std::optional<int16_t> decode_kraft_version(std::string_view payload);

// "1@host:port:dir, 2@..." for traces and messages.
std::string describe(const VoterSet& voters);

}  // namespace runnel::raft
