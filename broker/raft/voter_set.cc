#include "broker/raft/voter_set.h"

#include <algorithm>
#include <set>

#include "broker/protocol/generated/k_raft_version_record.h"
#include "broker/protocol/generated/voters_record.h"

namespace runnel::raft {

VoterSet::VoterSet(std::vector<Voter> voters) : voters_(std::move(voters)) {
  std::sort(voters_.begin(), voters_.end(), [](const Voter& a, const Voter& b) { return a.id < b.id; });
}

VoterSet VoterSet::of_ids(const std::vector<NodeId>& ids) {
  std::vector<Voter> voters;
  for (NodeId id : ids) voters.push_back(Voter{.id = id, .min_kraft_version = 0, .max_kraft_version = 0});
  return VoterSet(std::move(voters));
}

const Voter* VoterSet::find(NodeId id) const {
  for (const auto& v : voters_) {
    if (v.id == id) return &v;
  }
  return nullptr;
}

bool VoterSet::contains(NodeId id, const Uuid& directory) const {
  const Voter* v = find(id);
  if (v == nullptr) return false;
  return v->directory_id.is_zero() || directory.is_zero() || v->directory_id == directory;
}

std::vector<NodeId> VoterSet::ids() const {
  std::vector<NodeId> out;
  out.reserve(voters_.size());
  for (const auto& v : voters_) out.push_back(v.id);
  return out;
}

VoterSet VoterSet::with(Voter voter) const {
  std::vector<Voter> next;
  for (const auto& v : voters_) {
    if (v.id != voter.id) next.push_back(v);
  }
  next.push_back(std::move(voter));
  return VoterSet(std::move(next));
}

VoterSet VoterSet::without(NodeId id) const {
  std::vector<Voter> next;
  for (const auto& v : voters_) {
    if (v.id != id) next.push_back(v);
  }
  return VoterSet(std::move(next));
}

std::string encode_voters(const VoterSet& voters) {
  protocol::VotersRecord record;
  record.version = kVotersRecordVersion;
  for (const auto& v : voters.voters()) {
    protocol::VotersRecord::Voter out;
    out.voter_id = v.id.value();
    out.voter_directory_id = v.directory_id;
    for (const auto& e : v.endpoints) out.endpoints.push_back({e.listener, e.host, e.port, {}});
    out.k_raft_version_feature.min_supported_version = v.min_kraft_version;
    out.k_raft_version_feature.max_supported_version = v.max_kraft_version;
    record.voters.push_back(std::move(out));
  }
  std::vector<uint8_t> bytes;
  protocol::Writer w(bytes);
  record.encode(w, kVotersRecordVersion);
  return std::string(bytes.begin(), bytes.end());
}

std::optional<VoterSet> decode_voters(std::string_view payload) {
  protocol::Reader r(reinterpret_cast<const uint8_t*>(payload.data()), payload.size());
  protocol::VotersRecord record;
  if (!record.decode(r, kVotersRecordVersion) || !r.ok() || r.remaining() != 0) return std::nullopt;
  if (record.version != kVotersRecordVersion) return std::nullopt;
  std::vector<Voter> voters;
  std::set<int32_t> seen;
  for (const auto& v : record.voters) {
    if (v.voter_id < 0 || !seen.insert(v.voter_id).second) return std::nullopt;
    Voter out{.id = NodeId{v.voter_id}, .directory_id = v.voter_directory_id};
    for (const auto& e : v.endpoints) out.endpoints.push_back({e.name, e.host, e.port});
    out.min_kraft_version = v.k_raft_version_feature.min_supported_version;
    out.max_kraft_version = v.k_raft_version_feature.max_supported_version;
    voters.push_back(std::move(out));
  }
  return VoterSet(std::move(voters));
}

std::string encode_kraft_version(int16_t kraft_version) {
  protocol::KRaftVersionRecord record;
  record.version = kKRaftVersionRecordVersion;
  record.k_raft_version = kraft_version;
  std::vector<uint8_t> bytes;
  protocol::Writer w(bytes);
  record.encode(w, kKRaftVersionRecordVersion);
  return std::string(bytes.begin(), bytes.end());
}

std::optional<int16_t> decode_kraft_version(std::string_view payload) {
  protocol::Reader r(reinterpret_cast<const uint8_t*>(payload.data()), payload.size());
  protocol::KRaftVersionRecord record;
  if (!record.decode(r, kKRaftVersionRecordVersion) || !r.ok() || r.remaining() != 0) return std::nullopt;
  return record.k_raft_version;
}

std::string describe(const VoterSet& voters) {
  std::string out;
  for (const auto& v : voters.voters()) {
    if (!out.empty()) out += ", ";
    out += std::to_string(v.id.value());
    if (!v.endpoints.empty()) {
      out.append("@").append(v.endpoints.front().host).append(":");
      out.append(std::to_string(v.endpoints.front().port));
    }
    if (!v.directory_id.is_zero()) out.append(":").append(v.directory_id.to_base64());
  }
  return out;
}

}  // namespace runnel::raft
