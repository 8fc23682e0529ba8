#include "broker/config/quorum_voters.h"

#include <charconv>
#include <set>

namespace runnel::config {
namespace {

std::optional<int64_t> parse_int(std::string_view s) {
  int64_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size() || s.empty()) return std::nullopt;
  return v;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

Result<QuorumVoter> parse_quorum_voter(std::string_view text, VoterSyntax syntax) {
  const std::string_view entry = trim(text);
  const std::string shown(entry);
  const char* expected = syntax == VoterSyntax::static_voters ? "{id}@{host}:{port}" : "{id}@{host}:{port}:{directoryId}";
  auto bad = [&](const std::string& why) -> Result<QuorumVoter> {
    return Unexpected("Invalid voter '" + shown + "': " + why + " (expected " + expected + ")");
  };
  const size_t at = entry.find('@');
  if (at == std::string_view::npos) return bad("no '@'");
  QuorumVoter v;
  std::optional<int64_t> id = parse_int(entry.substr(0, at));
  if (!id || *id < 0 || *id > INT32_MAX) return bad("the id is not a non-negative integer");
  v.id = NodeId(static_cast<int32_t>(*id));
  std::string_view rest = entry.substr(at + 1);
  if (syntax == VoterSyntax::initial_controllers) {
    const size_t colon = rest.rfind(':');
    if (colon == std::string_view::npos) return bad("no directory id");
    Uuid dir;
    if (!Uuid::from_base64(std::string(rest.substr(colon + 1)), dir) || dir.is_zero()) {
      return bad("the directory id is not a valid Kafka Uuid");
    }
    v.directory_id = dir;
    rest = rest.substr(0, colon);
  }
  // host:port, with an IPv6 host in brackets ([::1]:9093).
  std::string_view host, port;
  if (!rest.empty() && rest.front() == '[') {
    const size_t close = rest.find(']');
    if (close == std::string_view::npos || close + 1 >= rest.size() || rest[close + 1] != ':') {
      return bad("an IPv6 host must be written [address]:port");
    }
    host = rest.substr(1, close - 1);
    port = rest.substr(close + 2);
  } else {
    const size_t colon = rest.rfind(':');
    if (colon == std::string_view::npos) return bad("no port");
    host = rest.substr(0, colon);
    port = rest.substr(colon + 1);
  }
  if (host.empty()) return bad("no host");
  std::optional<int64_t> p = parse_int(port);
  if (!p || *p < 1 || *p > 65535) return bad("the port is not in 1..65535");
  v.host = std::string(host);
  v.port = static_cast<int32_t>(*p);
  return v;
}

Result<std::vector<QuorumVoter>> parse_quorum_voters(const std::vector<std::string>& entries,
                                                                 VoterSyntax syntax) {
  std::vector<QuorumVoter> out;
  std::set<int32_t> ids;
  for (const std::string& entry : entries) {
    std::string_view rest = entry;
    while (true) {  // an entry may itself hold a comma-separated list
      const size_t comma = rest.find(',');
      std::string_view one = trim(rest.substr(0, comma));
      if (!one.empty()) {
        Result<QuorumVoter> v = parse_quorum_voter(one, syntax);
        if (!v) return Unexpected(v.error());
        if (!ids.insert(v->id.value()).second) {
          return Unexpected("Voter id " + std::to_string(v->id.value()) + " appears more than once");
        }
        out.push_back(std::move(v).value());
      }
      if (comma == std::string_view::npos) break;
      rest = rest.substr(comma + 1);
    }
  }
  return out;
}

std::string to_string(const QuorumVoter& v) {
  const bool v6 = v.host.find(':') != std::string::npos;
  std::string s = std::to_string(v.id.value());
  s += '@';
  if (v6) s += '[';
  s += v.host;
  if (v6) s += ']';
  s += ':';
  s += std::to_string(v.port);
  if (v.directory_id) {
    s += ':';
    s += v.directory_id->to_base64();
  }
  return s;
}

}  // namespace runnel::config
