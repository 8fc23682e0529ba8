#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "broker/config/result.h"

namespace runnel::config {

enum class SecurityProtocol { plaintext, ssl, sasl_plaintext, sasl_ssl };
std::string_view security_protocol_name(SecurityProtocol protocol);

// One parsed `NAME://host:port`. An empty host means "all interfaces" for a bind address and
// "this machine's name" for an advertised one. IPv6 hosts are stored without brackets.
struct Endpoint {
  std::string name;  // listener name, upper-cased as Kafka normalises it; for HTTP, the scheme
  std::string host;
  uint16_t port = 0;
  SecurityProtocol protocol = SecurityProtocol::plaintext;

  bool operator==(const Endpoint&) const = default;
};

// Back to the `NAME://host:port` form ("[::1]" for IPv6 hosts).
std::string endpoint_string(const Endpoint& endpoint);

// Parses one URI with Kafka's listener grammar: `name://host:port`, `name://[v6addr]:port`,
// `name://:port`. The name is upper-cased. Port must be 0..65535 (0 asks the OS for one).
Result<Endpoint> parse_endpoint(std::string_view uri);

// Parses listener.security.protocol.map ("NAME:PROTOCOL,..."). Names are upper-cased.
Result<std::map<std::string, SecurityProtocol>> parse_security_protocol_map(std::string_view value);

// Parses a listeners-style list and resolves each name's protocol through `protocols`.
// `config_name` is used in messages. `unique_ports` is true for bind lists (listeners), false
// for advertised.listeners, where Kafka allows two names to share a port.
Result<std::vector<Endpoint>> parse_listener_list(std::string_view config_name,
                                                  const std::vector<std::string>& items,
                                                  const std::map<std::string, SecurityProtocol>& protocols,
                                                  bool unique_ports);

}  // namespace runnel::config
