#include "broker/raft/leader_change.h"

#include "broker/protocol/generated/leader_change_message.h"

namespace runnel::raft {

std::string encode_leader_change(const LeaderChange& change) {
  auto voter = [](NodeId id) {
    protocol::LeaderChangeMessage::Voter v;
    v.voter_id = id.value();
    return v;
  };
  protocol::LeaderChangeMessage m;
  m.version = kLeaderChangeVersion;
  m.leader_id = change.leader_id.value();
  for (NodeId v : change.voters) m.voters.push_back(voter(v));
  for (NodeId v : change.granting_voters) m.granting_voters.push_back(voter(v));
  std::vector<uint8_t> bytes;
  protocol::Writer w(bytes);
  m.encode(w, kLeaderChangeVersion);
  return std::string(bytes.begin(), bytes.end());
}

std::optional<LeaderChange> decode_leader_change(std::string_view payload) {
  protocol::Reader r(reinterpret_cast<const uint8_t*>(payload.data()), payload.size());
  protocol::LeaderChangeMessage m;
  if (!m.decode(r, kLeaderChangeVersion) || !r.ok() || r.remaining() != 0) return std::nullopt;
  LeaderChange change{NodeId{m.leader_id}, {}, {}};
  for (const auto& v : m.voters) change.voters.push_back(NodeId{v.voter_id});
  for (const auto& v : m.granting_voters) change.granting_voters.push_back(NodeId{v.voter_id});
  return change;
}

}  // namespace runnel::raft
