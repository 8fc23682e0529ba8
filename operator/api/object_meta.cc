#include "operator/api/object_meta.h"

namespace runnel::api {

StringMap string_map_from_json(const Json& j) {
  StringMap out;
  if (!j.is_object()) return out;
  for (auto it = j.begin(); it != j.end(); ++it) out[it.key()] = it.value().get<std::string>();
  return out;
}

Json to_json(const StringMap& m) {
  Json j = Json::object();
  for (const auto& [k, v] : m) j[k] = v;
  return j;
}

ObjectMeta meta_from_json(const Json& metadata) {
  ObjectMeta m;
  if (!metadata.is_object()) return m;
  m.name = metadata.value("name", "");
  m.ns = metadata.value("namespace", "");
  m.uid = metadata.value("uid", "");
  m.resource_version = metadata.value("resourceVersion", "");
  m.generation = metadata.value("generation", int64_t{0});
  m.labels = string_map_from_json(metadata.value("labels", Json()));
  m.annotations = string_map_from_json(metadata.value("annotations", Json()));
  if (auto f = metadata.find("finalizers"); f != metadata.end() && f->is_array()) {
    for (const auto& s : *f) m.finalizers.push_back(s.get<std::string>());
  }
  if (auto d = metadata.find("deletionTimestamp"); d != metadata.end() && d->is_string()) {
    m.deletion_timestamp = d->get<std::string>();
  }
  return m;
}

Json to_json(const ObjectMeta& m) {
  Json j = {{"name", m.name}};
  if (!m.ns.empty()) j["namespace"] = m.ns;
  if (!m.uid.empty()) j["uid"] = m.uid;
  if (!m.resource_version.empty()) j["resourceVersion"] = m.resource_version;
  if (m.generation != 0) j["generation"] = m.generation;
  if (!m.labels.empty()) j["labels"] = to_json(m.labels);
  if (!m.annotations.empty()) j["annotations"] = to_json(m.annotations);
  if (!m.finalizers.empty()) j["finalizers"] = m.finalizers;
  if (!m.deletion_timestamp.empty()) j["deletionTimestamp"] = m.deletion_timestamp;
  return j;
}

}  // namespace runnel::api
