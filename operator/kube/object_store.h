#pragma once
// The informer's cache: a thread-safe `Store` keyed by namespace/name. Readers (reconcilers on
// worker threads) get copies, so an object never changes under them.
// `MultiStore` presents the caches of several per-namespace informers as one Store.

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <vector>

#include "operator/kube/api.h"

namespace runnel::kube {

// "ns/name" ("name" for cluster-scoped objects), from metadata.
std::string object_key(const Json& obj);

class ObjectStore : public Store {
 public:
  std::optional<Json> get(std::string_view ns, std::string_view name) const override;
  std::vector<Json> list(std::string_view ns) const override;

  // Inserts or replaces; returns the previous object if there was one.
  std::optional<Json> upsert(const Json& obj);
  std::optional<Json> remove(const Json& obj);
  // Replaces everything (after a relist); returns the objects that disappeared.
  std::vector<Json> replace_all(const std::vector<Json>& objs);
  size_t size() const;

 private:
  mutable std::shared_mutex mu_;
  std::map<std::string, Json> objects_;  // ordered: list() is deterministic
};

class MultiStore : public Store {
 public:
  explicit MultiStore(std::vector<const Store*> parts) : parts_(std::move(parts)) {}
  std::optional<Json> get(std::string_view ns, std::string_view name) const override;
  std::vector<Json> list(std::string_view ns) const override;

 private:
  std::vector<const Store*> parts_;
};

}  // namespace runnel::kube
