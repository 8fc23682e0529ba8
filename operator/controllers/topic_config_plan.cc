#include "operator/controllers/topic_config_plan.h"

#include <algorithm>

namespace runnel::controllers {

using operator_admin::AlterOp;
using operator_admin::ConfigAlteration;
using operator_admin::ConfigEntry;

KeySet parse_managed_keys(const api::StringMap& annotations) {
  KeySet keys;
  auto it = annotations.find(kManagedConfigKeysAnnotation);
  if (it == annotations.end()) return keys;
  const std::string& text = it->second;
  size_t start = 0;
  while (start <= text.size()) {
    size_t comma = text.find(',', start);
    if (comma == std::string::npos) comma = text.size();
    std::string key = text.substr(start, comma - start);
    key.erase(0, key.find_first_not_of(" \t"));
    key.erase(key.find_last_not_of(" \t") + 1);
    if (!key.empty()) keys.insert(std::move(key));
    start = comma + 1;
  }
  return keys;
}

std::string format_managed_keys(const KeySet& keys) {
  std::string out;
  for (const auto& k : keys) out += (out.empty() ? "" : ",") + k;
  return out;
}

KeySet keys_of(const api::StringMap& config) {
  KeySet keys;
  for (const auto& [k, v] : config) keys.insert(k);
  return keys;
}

std::vector<ConfigAlteration> plan_config_changes(const api::StringMap& desired,
                                                  const KeySet& managed_before,
                                                  const std::vector<ConfigEntry>& current) {
  auto find = [&](const std::string& key) -> const ConfigEntry* {
    auto it = std::find_if(current.begin(), current.end(), [&](const auto& e) { return e.name == key; });
    return it == current.end() ? nullptr : &*it;
  };
  std::vector<ConfigAlteration> ops;
  for (const auto& [key, value] : desired) {
    const ConfigEntry* e = find(key);
    if (e == nullptr || !e->is_topic_override() || e->value != value) {
      ops.push_back({key, AlterOp::set, value});
    }
  }
  for (const auto& key : managed_before) {
    if (desired.count(key) != 0) continue;
    const ConfigEntry* e = find(key);
    if (e != nullptr && e->is_topic_override()) ops.push_back({key, AlterOp::remove, std::nullopt});
  }
  std::sort(ops.begin(), ops.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
  return ops;
}

api::StringMap observed_config(const api::StringMap& desired, const std::vector<ConfigEntry>& current) {
  api::StringMap out;
  for (const auto& e : current) {
    if (desired.count(e.name) != 0 && e.value) out[e.name] = *e.value;
  }
  return out;
}

}  // namespace runnel::controllers
