#include "broker/config/list_op.h"

#include <algorithm>
#include <vector>

#include "broker/config/broker_config_defs.h"
#include "broker/config/topic_config_defs.h"

namespace runnel::config {
namespace {

// The non-empty elements of a comma-separated list.
std::vector<std::string> parts_of(const std::string& value) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (start <= value.size()) {
    size_t comma = value.find(',', start);
    if (comma == std::string::npos) comma = value.size();
    if (comma > start) parts.push_back(value.substr(start, comma - start));
    start = comma + 1;
  }
  return parts;
}

// Every element, empty ones included (what the client sent).
std::vector<std::string> split_commas(const std::string& s) {
  std::vector<std::string> out;
  size_t start = 0;
  while (true) {
    size_t comma = s.find(',', start);
    out.push_back(s.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
    if (comma == std::string::npos) return out;
    start = comma + 1;
  }
}

std::optional<std::string> list_op(const ConfigDef* def, const std::optional<std::string>& current,
                                   const std::string& values, bool append) {
  if (def == nullptr || def->type != ConfigType::list) return std::nullopt;
  std::optional<std::string> now = current;
  if (!now) now = to_string(default_value(*def));
  std::vector<std::string> parts = now ? parts_of(*now) : std::vector<std::string>{};
  for (const std::string& v : split_commas(values)) {
    auto it = std::find(parts.begin(), parts.end(), v);
    if (append) {
      if (it == parts.end()) parts.push_back(v);
    } else if (it != parts.end()) {
      parts.erase(it);
    }
  }
  std::string joined;
  for (size_t i = 0; i < parts.size(); ++i) joined += (i ? "," : "") + parts[i];
  return joined;
}

}  // namespace

std::optional<std::string> apply_list_op(const std::string& name, const std::optional<std::string>& current,
                                         const std::string& values, bool append) {
  const TopicConfigDef* def = find_topic_config_def(name);
  return list_op(def == nullptr ? nullptr : &def->def, current, values, append);
}

std::optional<std::string> apply_broker_list_op(const std::string& name, const std::optional<std::string>& current,
                                                const std::string& values, bool append) {
  return list_op(find_broker_config_def(name), current, values, append);
}

}  // namespace runnel::config
