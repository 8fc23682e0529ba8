#include "tests/unit/operator_fakes/map_store.h"

namespace runnel::operator_fakes {

void MapStore::put(Json obj) {
  const Json& m = obj["metadata"];
  objects_[{m.value("namespace", ""), m.value("name", "")}] = std::move(obj);
}

Json* MapStore::find(const std::string& ns, const std::string& name) {
  auto it = objects_.find({ns, name});
  return it == objects_.end() ? nullptr : &it->second;
}

std::optional<Json> MapStore::get(std::string_view ns, std::string_view name) const {
  auto it = objects_.find({std::string(ns), std::string(name)});
  if (it == objects_.end()) return std::nullopt;
  return it->second;
}

std::vector<Json> MapStore::list(std::string_view ns) const {
  std::vector<Json> out;
  for (const auto& [key, obj] : objects_) {
    if (ns.empty() || key.first == ns) out.push_back(obj);
  }
  return out;
}

}  // namespace runnel::operator_fakes
