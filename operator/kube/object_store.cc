#include "operator/kube/object_store.h"

namespace runnel::kube {
namespace {

std::string key_of(std::string_view ns, std::string_view name) {
  return ns.empty() ? std::string(name) : std::string(ns) + "/" + std::string(name);
}

}  // namespace

std::string object_key(const Json& obj) {
  const Json& meta = obj.value("metadata", Json::object());
  return key_of(meta.value("namespace", ""), meta.value("name", ""));
}

std::optional<Json> ObjectStore::get(std::string_view ns, std::string_view name) const {
  std::shared_lock lock(mu_);
  auto it = objects_.find(key_of(ns, name));
  if (it == objects_.end()) return std::nullopt;
  return it->second;
}

std::vector<Json> ObjectStore::list(std::string_view ns) const {
  std::shared_lock lock(mu_);
  std::vector<Json> out;
  if (ns.empty()) {
    for (const auto& [k, v] : objects_) out.push_back(v);
    return out;
  }
  std::string prefix = std::string(ns) + "/";
  for (auto it = objects_.lower_bound(prefix); it != objects_.end(); ++it) {
    if (it->first.compare(0, prefix.size(), prefix) != 0) break;
    out.push_back(it->second);
  }
  return out;
}

std::optional<Json> ObjectStore::upsert(const Json& obj) {
  std::unique_lock lock(mu_);
  auto [it, inserted] = objects_.try_emplace(object_key(obj), obj);
  if (inserted) return std::nullopt;
  Json old = std::move(it->second);
  it->second = obj;
  return old;
}

std::optional<Json> ObjectStore::remove(const Json& obj) {
  std::unique_lock lock(mu_);
  auto it = objects_.find(object_key(obj));
  if (it == objects_.end()) return std::nullopt;
  Json old = std::move(it->second);
  objects_.erase(it);
  return old;
}

std::vector<Json> ObjectStore::replace_all(const std::vector<Json>& objs) {
  std::map<std::string, Json> fresh;
  for (const Json& o : objs) fresh.emplace(object_key(o), o);
  std::unique_lock lock(mu_);
  std::vector<Json> gone;
  for (auto& [k, v] : objects_)
    if (!fresh.count(k)) gone.push_back(std::move(v));
  objects_ = std::move(fresh);
  return gone;
}

size_t ObjectStore::size() const {
  std::shared_lock lock(mu_);
  return objects_.size();
}

std::optional<Json> MultiStore::get(std::string_view ns, std::string_view name) const {
  for (const Store* s : parts_)
    if (auto o = s->get(ns, name)) return o;
  return std::nullopt;
}

std::vector<Json> MultiStore::list(std::string_view ns) const {
  std::vector<Json> out;
  for (const Store* s : parts_) {
    auto part = s->list(ns);
    out.insert(out.end(), std::make_move_iterator(part.begin()),
               std::make_move_iterator(part.end()));
  }
  return out;
}

}  // namespace runnel::kube
