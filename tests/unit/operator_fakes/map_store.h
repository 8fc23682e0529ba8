#pragma once
// A kube::Store backed by a map: what an informer cache would hold, set up by the test.

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "operator/kube/api.h"

namespace runnel::operator_fakes {

using kube::Json;

class MapStore : public kube::Store {
 public:
  // Inserts or replaces the object named by its metadata.namespace/name.
  void put(Json obj);
  void erase(const std::string& ns, const std::string& name) { objects_.erase({ns, name}); }
  // The stored object, to edit in place; nullptr when absent.
  Json* find(const std::string& ns, const std::string& name);
  // Like find, but the object must exist.
  Json& at(const std::string& ns, const std::string& name) { return objects_.at({ns, name}); }

  std::optional<Json> get(std::string_view ns, std::string_view name) const override;
  std::vector<Json> list(std::string_view ns) const override;

 private:
  std::map<std::pair<std::string, std::string>, Json> objects_;
};

}  // namespace runnel::operator_fakes
