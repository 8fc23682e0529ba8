#include "broker/group/classic_group.h"

#include <algorithm>

#include "broker/group/consumer_protocol.h"

namespace runnel::group {

const char* state_name(GroupState s) {
  switch (s) {
    case GroupState::empty: return "Empty";
    case GroupState::preparing_rebalance: return "PreparingRebalance";
    case GroupState::completing_rebalance: return "CompletingRebalance";
    case GroupState::stable: return "Stable";
    case GroupState::dead: return "Dead";
  }
  return "Unknown";
}

bool ClassicGroup::has_all_members_joined() const {
  if (!pending_members.empty()) return false;
  return std::all_of(members.begin(), members.end(), [](const auto& kv) { return bool(kv.second.awaiting_join); });
}

std::optional<std::string> ClassicGroup::select_protocol() const {
  if (members.empty()) return std::nullopt;
  // Kafka lets every member vote for its most preferred protocol among those all support and
  // picks the most voted one. Candidates: protocols every member lists.
  const Member& first = members.begin()->second;
  std::vector<std::string> candidates;
  for (const Protocol& p : first.protocols) {
    bool all = std::all_of(members.begin(), members.end(),
                           [&p](const auto& kv) { return kv.second.metadata_for(p.name) != nullptr; });
    if (all) candidates.push_back(p.name);
  }
  if (candidates.empty()) return std::nullopt;
  std::map<std::string, int> votes;
  for (const auto& [id, m] : members) {
    for (const Protocol& p : m.protocols) {
      if (std::find(candidates.begin(), candidates.end(), p.name) != candidates.end()) {
        ++votes[p.name];
        break;
      }
    }
  }
  std::string best = candidates.front();
  for (const std::string& c : candidates)
    if (votes[c] > votes[best]) best = c;
  return best;
}

bool ClassicGroup::supports(const std::string& type, const std::vector<Protocol>& protocols) const {
  if (members.empty()) return !type.empty() && !protocols.empty();
  if (type != protocol_type) return false;
  // Some protocol must be supported by every current member and the newcomer.
  for (const Protocol& p : protocols) {
    bool all = std::all_of(members.begin(), members.end(),
                           [&p](const auto& kv) { return kv.second.metadata_for(p.name) != nullptr; });
    if (all) return true;
  }
  return false;
}

std::unordered_set<std::string> ClassicGroup::subscribed_topics() const {
  std::unordered_set<std::string> out;
  if (protocol_type != "consumer" || !protocol_name) return out;
  for (const auto& [id, m] : members) {
    const std::vector<uint8_t>* md = m.metadata_for(*protocol_name);
    if (md == nullptr) continue;
    for (std::string& t : subscription_topics(*md)) out.insert(std::move(t));
  }
  return out;
}

}  // namespace runnel::group
