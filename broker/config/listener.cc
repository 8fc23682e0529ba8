#include "broker/config/listener.h"

#include <algorithm>
#include <cctype>
#include <charconv>

namespace runnel::config {

namespace {

std::string upper(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::toupper(c); });
  return out;
}

std::string trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return std::string(s);
}

// The characters Kafka's listener regex allows in a host: [0-9a-zA-Z-%._:].
bool valid_host_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '%' || c == '.' || c == '_' || c == ':';
}

bool parse_protocol(std::string_view name, SecurityProtocol& out) {
  if (name == "PLAINTEXT") out = SecurityProtocol::plaintext;
  else if (name == "SSL") out = SecurityProtocol::ssl;
  else if (name == "SASL_PLAINTEXT") out = SecurityProtocol::sasl_plaintext;
  else if (name == "SASL_SSL") out = SecurityProtocol::sasl_ssl;
  else return false;
  return true;
}

bool is_ipv6_literal(const std::string& host) { return host.find(':') != std::string::npos; }
bool is_ipv4_literal(const std::string& host) {
  return !host.empty() && std::all_of(host.begin(), host.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)) || c == '.'; });
}

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (std::size_t i = 0; i < items.size(); ++i) out += (i ? "," : "") + items[i];
  return out;
}

}  // namespace

std::string_view security_protocol_name(SecurityProtocol protocol) {
  switch (protocol) {
    case SecurityProtocol::plaintext: return "PLAINTEXT";
    case SecurityProtocol::ssl: return "SSL";
    case SecurityProtocol::sasl_plaintext: return "SASL_PLAINTEXT";
    case SecurityProtocol::sasl_ssl: return "SASL_SSL";
  }
  return "PLAINTEXT";
}

std::string endpoint_string(const Endpoint& e) {
  std::string host = is_ipv6_literal(e.host) ? "[" + e.host + "]" : e.host;
  return e.name + "://" + host + ":" + std::to_string(e.port);
}

Result<Endpoint> parse_endpoint(std::string_view uri) {
  auto fail = [&] { return Unexpected("Unable to parse " + std::string(uri) + " to a broker endpoint"); };
  std::size_t sep = uri.find("://");
  if (sep == std::string_view::npos || sep == 0) return fail();
  Endpoint e;
  e.name = upper(uri.substr(0, sep));
  std::string_view rest = uri.substr(sep + 3);
  std::size_t colon = rest.rfind(':');
  if (colon == std::string_view::npos) return fail();
  std::string_view host = rest.substr(0, colon);
  std::string_view port = rest.substr(colon + 1);
  if (!host.empty() && host.front() == '[') {
    if (host.size() < 2 || host.back() != ']') return fail();
    host = host.substr(1, host.size() - 2);
  }
  if (!std::all_of(host.begin(), host.end(), valid_host_char)) return fail();
  int value = -1;
  auto [ptr, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
  if (ec != std::errc() || ptr != port.data() + port.size() || port.empty()) return fail();
  if (value < 0 || value > 65535) {
    return Unexpected("Invalid port " + std::string(port) + " in " + std::string(uri) +
                                     ": must be between 0 and 65535");
  }
  e.host = std::string(host);
  e.port = static_cast<uint16_t>(value);
  return e;
}

Result<std::map<std::string, SecurityProtocol>> parse_security_protocol_map(std::string_view value) {
  std::map<std::string, SecurityProtocol> out;
  std::string_view rest = value;
  while (!rest.empty()) {
    std::size_t comma = rest.find(',');
    std::string entry = trim(rest.substr(0, comma));
    rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
    if (entry.empty()) continue;
    std::size_t colon = entry.find(':');
    SecurityProtocol protocol;
    if (colon == std::string::npos || !parse_protocol(upper(trim(entry.substr(colon + 1))), protocol)) {
      return Unexpected("Invalid value " + std::string(value) +
                        " for configuration listener.security.protocol.map: Map entry '" + entry +
                        "' is not of the form NAME:PROTOCOL with PROTOCOL one of PLAINTEXT, SSL, "
                        "SASL_PLAINTEXT, SASL_SSL");
    }
    std::string name = upper(trim(entry.substr(0, colon)));
    if (!out.emplace(name, protocol).second) {
      return Unexpected("Invalid value " + std::string(value) +
                        " for configuration listener.security.protocol.map: Duplicate listener name " + name);
    }
  }
  return out;
}

Result<std::vector<Endpoint>> parse_listener_list(std::string_view config_name,
                                                  const std::vector<std::string>& items,
                                                  const std::map<std::string, SecurityProtocol>& protocols,
                                                  bool unique_ports) {
  std::string prefix = "Error creating broker listeners from '" + join(items) + "' (" + std::string(config_name) + "): ";
  std::vector<Endpoint> out;
  for (const std::string& item : items) {
    if (item.empty()) return Unexpected(prefix + "empty listener entry");
    Result<Endpoint> parsed = parse_endpoint(item);
    if (!parsed.has_value()) return Unexpected(prefix + parsed.error());
    Endpoint e = std::move(parsed).value();
    auto it = protocols.find(e.name);
    if (it == protocols.end()) return Unexpected(prefix + "No security protocol defined for listener " + e.name);
    e.protocol = it->second;
    for (const Endpoint& other : out) {
      if (other.name == e.name) {
        return Unexpected("Each listener must have a different name, " + std::string(config_name) + ": " + join(items));
      }
      // Two bind addresses may share a port only when one is IPv4 and the other IPv6.
      bool split_stack = (is_ipv4_literal(e.host) && is_ipv6_literal(other.host)) ||
                         (is_ipv6_literal(e.host) && is_ipv4_literal(other.host));
      if (unique_ports && e.port != 0 && other.port == e.port && !split_stack) {
        return Unexpected("Each listener must have a different port, " + std::string(config_name) + ": " + join(items));
      }
    }
    out.push_back(std::move(e));
  }
  return out;
}

}  // namespace runnel::config
