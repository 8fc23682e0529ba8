#include "operator/resources/server_properties.h"

#include <algorithm>
#include <cstdint>
#include <cstdio>

#include "operator/resources/names.h"

namespace runnel::resources {
namespace {

// Escapes the characters java.util.Properties.load would otherwise interpret. `specials` are
// escaped with a backslash; `leading_space` escapes a space at the start (load trims it).
std::string escape(const std::string& s, const std::string& specials, bool escape_all_spaces) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    char ch = s[i];
    switch (ch) {
      case '\\': out += "\\\\"; continue;
      case '\n': out += "\\n"; continue;
      case '\r': out += "\\r"; continue;
      case '\t': out += "\\t"; continue;
      case '\f': out += "\\f"; continue;
      default: break;
    }
    if (ch == ' ' && (escape_all_spaces || i == 0)) {
      out += "\\ ";
    } else if (specials.find(ch) != std::string::npos) {
      out += '\\';
      out += ch;
    } else {
      out += ch;
    }
  }
  return out;
}

}  // namespace

std::string escape_property_key(const std::string& key) { return escape(key, "=:#!", true); }

std::string escape_property_value(const std::string& value) {
  // A leading '#' or '!' cannot start a comment in a value position, so only backslash, control
  // characters and a leading space need care.
  return escape(value, "", false);
}

std::map<std::string, std::string> effective_properties(const api::RunnelCluster& c) {
  const int internal_rf = std::min({3, c.spec.replicas, kMaxDefaultReplicationFactor});
  std::map<std::string, std::string> props = {
      {"log.dirs", kDataDir},
      {"offsets.topic.replication.factor", std::to_string(internal_rf)},
      {"transaction.state.log.replication.factor", std::to_string(internal_rf)},
      {"transaction.state.log.min.isr", std::to_string(std::min(2, internal_rf))},
      {"default.replication.factor", "1"},
  };
  for (const auto& [k, v] : c.spec.config) props[k] = v;
  return props;
}

std::string render_server_properties(const api::RunnelCluster& c) {
  std::string out =
      "# Rendered by runnel-operator from RunnelCluster spec.config; edits here are overwritten.\n"
      "# node.id and the listeners are passed per pod with --override.\n";
  for (const auto& [k, v] : effective_properties(c)) {
    out += escape_property_key(k) + "=" + escape_property_value(v) + "\n";
  }
  return out;
}

std::string config_hash(const std::string& text) {
  uint64_t h = 14695981039346656037ull;
  for (unsigned char ch : text) {
    h ^= ch;
    h *= 1099511628211ull;
  }
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
  return buf;
}

}  // namespace runnel::resources
