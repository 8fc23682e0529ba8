#pragma once
// The parts of metav1.ObjectMeta the controllers read. Parsing is lenient: the API server already
// validated the object, so a missing field takes its zero value.

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace runnel::api {

using Json = nlohmann::json;
using StringMap = std::map<std::string, std::string>;

inline constexpr const char* kGroup = "runnel.dev";
inline constexpr const char* kVersion = "v1alpha1";
inline constexpr const char* kApiVersion = "runnel.dev/v1alpha1";

struct ObjectMeta {
  std::string name;
  std::string ns;
  std::string uid;
  std::string resource_version;
  int64_t generation = 0;
  StringMap labels;
  StringMap annotations;
  std::vector<std::string> finalizers;
  std::string deletion_timestamp;  // empty unless the object is being deleted

  bool deleting() const { return !deletion_timestamp.empty(); }
};

ObjectMeta meta_from_json(const Json& metadata);
// Writes name, namespace and, when set, uid/generation/labels/annotations/finalizers.
Json to_json(const ObjectMeta& m);

// Reads a JSON object of strings into a map; null or absent gives an empty map. Throws
// nlohmann::json::exception when a value is not a string.
StringMap string_map_from_json(const Json& j);
Json to_json(const StringMap& m);

}  // namespace runnel::api
